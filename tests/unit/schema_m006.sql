-- index deliveries_due ON deliveries
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);

-- index idx__sqlite_migrations_migration_set_name ON _sqlite_migrations
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

-- index inbox_items_state ON inbox_items
CREATE INDEX inbox_items_state ON inbox_items(state, id);

-- index interactions_object ON interactions
CREATE INDEX interactions_object ON interactions(object_id, kind)
        ;

-- index opportunities_original ON opportunities
CREATE UNIQUE INDEX opportunities_original ON opportunities(username, original_id)
            WHERE original_id IS NOT NULL;

-- index opportunities_user ON opportunities
CREATE INDEX opportunities_user ON opportunities(username, published);

-- index outbox_user ON outbox
CREATE INDEX outbox_user ON outbox(username, seq);

-- index practices_user ON practices
CREATE INDEX practices_user ON practices(username, published);

-- index remote_actors_key ON remote_actors
CREATE INDEX remote_actors_key ON remote_actors(key_id);

-- index remote_objects_actor ON remote_objects
CREATE INDEX remote_objects_actor ON remote_objects(actor);

-- index remote_objects_origin ON remote_objects
CREATE INDEX remote_objects_origin ON remote_objects(origin);

-- index search_items_filters ON search_items
CREATE INDEX search_items_filters ON search_items(published, rowid, kind, status,
            opp_kind, remote, local, region, origin, hours_per_week, min_age, start, "end",
            cause_areas, suitable_for, activity_types, themes, sectors)
        ;

-- index search_items_kind ON search_items
CREATE INDEX search_items_kind ON search_items(kind, status, published);

-- index search_items_origin ON search_items
CREATE INDEX search_items_origin ON search_items(origin);

-- index sqlite_autoindex_actors_1 ON actors
None;

-- index sqlite_autoindex_adoptions_1 ON adoptions
None;

-- index sqlite_autoindex_api_tokens_1 ON api_tokens
None;

-- index sqlite_autoindex_deliveries_1 ON deliveries
None;

-- index sqlite_autoindex_domain_blocks_1 ON domain_blocks
None;

-- index sqlite_autoindex_domain_health_1 ON domain_health
None;

-- index sqlite_autoindex_followers_1 ON followers
None;

-- index sqlite_autoindex_following_1 ON following
None;

-- index sqlite_autoindex_following_2 ON following
None;

-- index sqlite_autoindex_inbox_items_1 ON inbox_items
None;

-- index sqlite_autoindex_instance_1 ON instance
None;

-- index sqlite_autoindex_interactions_1 ON interactions
None;

-- index sqlite_autoindex_opportunities_1 ON opportunities
None;

-- index sqlite_autoindex_outbox_1 ON outbox
None;

-- index sqlite_autoindex_practices_1 ON practices
None;

-- index sqlite_autoindex_remote_actors_1 ON remote_actors
None;

-- index sqlite_autoindex_remote_objects_1 ON remote_objects
None;

-- index sqlite_autoindex_search_items_1 ON search_items
None;

-- index sqlite_autoindex_tombstones_1 ON tombstones
None;

-- table _sqlite_migrations ON _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);

-- table actors ON actors
CREATE TABLE actors (
            username TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('instance', 'city', 'org')),
            name TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            sector TEXT,
            website TEXT,
            phone TEXT,
            email TEXT,
            office_hours TEXT,
            address TEXT,
            icon_url TEXT,
            manually_approves INTEGER NOT NULL DEFAULT 0,
            public_key_pem TEXT NOT NULL,
            private_key_pem TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

-- table adoptions ON adoptions
CREATE TABLE adoptions (
            practice_id TEXT NOT NULL,
            adopted_by TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (practice_id, adopted_by)
        );

-- table api_tokens ON api_tokens
CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL REFERENCES actors(username),
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            last_used_at TEXT
        );

-- table deliveries ON deliveries
CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity_id TEXT NOT NULL,
            username TEXT NOT NULL,
            inbox TEXT NOT NULL,
            domain TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            locked_until TEXT,
            last_status INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            UNIQUE (activity_id, inbox)
        );

-- table domain_blocks ON domain_blocks
CREATE TABLE domain_blocks (
            domain TEXT PRIMARY KEY,
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

-- table domain_health ON domain_health
CREATE TABLE domain_health (
            domain TEXT PRIMARY KEY,
            failure_days TEXT NOT NULL DEFAULT '[]',
            unavailable INTEGER NOT NULL DEFAULT 0,
            last_success_at TEXT,
            last_failure_at TEXT
        );

-- table followers ON followers
CREATE TABLE followers (
            username TEXT NOT NULL,
            actor TEXT NOT NULL,
            follow_id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
            inbox TEXT NOT NULL,
            shared_inbox TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (username, actor)
        );

-- table following ON following
CREATE TABLE following (
            username TEXT NOT NULL,
            actor TEXT NOT NULL,
            follow_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'rejected')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (username, actor)
        );

-- table inbox_items ON inbox_items
CREATE TABLE inbox_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            activity_id TEXT NOT NULL,
            origin TEXT NOT NULL,
            actor TEXT NOT NULL,
            type TEXT NOT NULL,
            recipient TEXT,
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'received',
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            received_at TEXT NOT NULL,
            processed_at TEXT, next_attempt_at TEXT,
            UNIQUE (origin, activity_id)
        );

-- table instance ON instance
CREATE TABLE instance (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

-- table interactions ON interactions
CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('reply', 'like', 'announce')),
            object_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            content TEXT,
            url TEXT,
            created_at TEXT NOT NULL
        );

-- table opportunities ON opportunities
CREATE TABLE opportunities (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES actors(username),
            data TEXT NOT NULL,
            status TEXT NOT NULL,
            original_id TEXT,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            deleted_at TEXT
        );

-- table outbox ON outbox
CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL,
            type TEXT NOT NULL,
            object_id TEXT,
            activity TEXT NOT NULL,
            public INTEGER NOT NULL DEFAULT 1,
            published TEXT NOT NULL
        );

-- table practices ON practices
CREATE TABLE practices (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES actors(username),
            data TEXT NOT NULL,
            status TEXT NOT NULL,
            published TEXT NOT NULL,
            updated TEXT NOT NULL,
            deleted_at TEXT
        );

-- table remote_actors ON remote_actors
CREATE TABLE remote_actors (
            id TEXT PRIMARY KEY,
            type TEXT,
            preferred_username TEXT,
            name TEXT,
            domain TEXT NOT NULL,
            inbox TEXT,
            shared_inbox TEXT,
            key_id TEXT,
            public_key_pem TEXT,
            data TEXT NOT NULL,
            fetched_at TEXT NOT NULL
        );

-- table remote_objects ON remote_objects
CREATE TABLE remote_objects (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('opportunity', 'practice', 'other')),
            actor TEXT NOT NULL,
            origin TEXT NOT NULL,
            origin_name TEXT,
            data TEXT,
            raw TEXT NOT NULL,
            shared_by TEXT,
            published TEXT,
            updated TEXT,
            received_at TEXT NOT NULL
        );

-- table search_items ON search_items
CREATE TABLE search_items (
            rowid INTEGER PRIMARY KEY,
            ap_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            local INTEGER NOT NULL,
            origin TEXT NOT NULL,
            origin_name TEXT,
            actor TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            opp_kind TEXT,
            cause_areas TEXT NOT NULL DEFAULT '|',
            activity_types TEXT NOT NULL DEFAULT '|',
            themes TEXT NOT NULL DEFAULT '|',
            sectors TEXT NOT NULL DEFAULT '|',
            suitable_for TEXT NOT NULL DEFAULT '|',
            remote TEXT,
            hours_per_week REAL,
            start TEXT,
            "end" TEXT,
            min_age INTEGER,
            region TEXT,
            status TEXT,
            published TEXT
        );

-- table search_terms ON search_terms
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

-- table search_text ON search_text
CREATE VIRTUAL TABLE search_text USING fts5(title, body, tags, tokenize = 'ascii',
                                                    prefix = '3');

-- table search_text_config ON search_text_config
CREATE TABLE 'search_text_config'(k PRIMARY KEY, v) WITHOUT ROWID;

-- table search_text_content ON search_text_content
CREATE TABLE 'search_text_content'(id INTEGER PRIMARY KEY, c0, c1, c2);

-- table search_text_data ON search_text_data
CREATE TABLE 'search_text_data'(id INTEGER PRIMARY KEY, block BLOB);

-- table search_text_docsize ON search_text_docsize
CREATE TABLE 'search_text_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

-- table search_text_idx ON search_text_idx
CREATE TABLE 'search_text_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

-- table sqlite_sequence ON sqlite_sequence
CREATE TABLE sqlite_sequence(name,seq);

-- table tombstones ON tombstones
CREATE TABLE tombstones (
            id TEXT PRIMARY KEY,
            former_type TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        , actor TEXT);

