"""Background workers, one module each: the loop (`base`), the inbox queue (`inbox`), the
delivery queue (`delivery`) and the hourly lifecycle upkeep (`maintenance`)."""
