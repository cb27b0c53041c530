// The durable object store: every object lives in memory for reads and in a node:sqlite file
// for restarts. Each write is one SQLite transaction committed (WAL) before the caller
// answers, so nothing acknowledged is lost when the process is killed. The store
// knows nothing about admission or watch semantics; it assigns resourceVersions and reports
// each change to one listener.
import { DatabaseSync } from "node:sqlite";
import type { Obj } from "./types.ts";

/** StoreEvent is one committed change: the object after it (or as it was, for DELETED). */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  bucket: string;
  key: string;
  object: Obj;
  /** prev is the object before a MODIFIED change (watch filters need both sides). */
  prev?: Obj;
  rv: number;
}

/** bucketOf names the per-resource partition of the key space ("batch/jobs", "/pods"). */
export function bucketOf(group: string, plural: string): string {
  return `${group}/${plural}`;
}

/** objectKey is the unique key of one object: bucket, namespace ("" if cluster-scoped), name. */
export function objectKey(bucket: string, namespace: string, name: string): string {
  return `${bucket}|${namespace}|${name}`;
}

/** Store holds every object; open it with openStore. */
export interface Store {
  /** get returns the stored object (shared: callers must clone before mutating). */
  get(bucket: string, namespace: string, name: string): Obj | undefined;
  /** list returns a bucket's objects, of one namespace when given, sorted by namespace/name. */
  list(bucket: string, namespace?: string): Obj[];
  /** count returns the number of stored objects. */
  count(): number;
  /** put creates or replaces an object, stamping the next resourceVersion; returns the stored copy. */
  put(bucket: string, object: Obj): Obj;
  /** remove deletes an object; the DELETED event carries a fresh resourceVersion. */
  remove(bucket: string, object: Obj): Obj;
  /** currentRv is the resourceVersion of the last committed write. */
  currentRv(): number;
  /** onChange registers the single listener (the watch hub). */
  onChange(fn: (ev: StoreEvent) => void): void;
  close(): void;
}

/** openStore opens (or creates) the store at path; ":memory:" keeps nothing on disk. */
export function openStore(path: string): Store {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode=WAL");
  // WAL with synchronous=NORMAL: a commit is in the OS before the caller answers, so a killed
  // process loses nothing acknowledged; only a machine crash could drop the last commits.
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, bucket TEXT NOT NULL, json TEXT NOT NULL) STRICT");
  db.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT");
  const buckets = new Map<string, Map<string, Obj>>();
  for (const row of db.prepare("SELECT key, bucket, json FROM objects").all()) {
    bucketMap(buckets, String(row.bucket)).set(String(row.key), JSON.parse(String(row.json)) as Obj);
  }
  const rvRow = db.prepare("SELECT value FROM meta WHERE name = 'rv'").get();
  let rv = rvRow === undefined ? 1 : Number(rvRow.value);
  const upsert = db.prepare("INSERT INTO objects (key, bucket, json) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET json = excluded.json");
  const del = db.prepare("DELETE FROM objects WHERE key = ?");
  const setRv = db.prepare("INSERT INTO meta (name, value) VALUES ('rv', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  let listener: (ev: StoreEvent) => void = () => {};

  function commit(write: () => void): void {
    db.exec("BEGIN IMMEDIATE");
    try {
      write();
      setRv.run(rv);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }

  return {
    get(bucket, namespace, name) {
      return buckets.get(bucket)?.get(objectKey(bucket, namespace, name));
    },
    list(bucket, namespace) {
      const m = buckets.get(bucket);
      if (m === undefined) return [];
      const out: Obj[] = [];
      for (const o of m.values()) if (namespace === undefined || (o.metadata.namespace ?? "") === namespace) out.push(o);
      return out.sort(byNamespaceName);
    },
    count() {
      let n = 0;
      for (const m of buckets.values()) n += m.size;
      return n;
    },
    put(bucket, object) {
      const key = objectKey(bucket, object.metadata.namespace ?? "", object.metadata.name);
      const m = bucketMap(buckets, bucket);
      const prev = m.get(key);
      rv += 1;
      const stored: Obj = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
      commit(() => upsert.run(key, bucket, JSON.stringify(stored)));
      m.set(key, stored);
      listener({ type: prev ? "MODIFIED" : "ADDED", bucket, key, object: stored, prev, rv });
      return stored;
    },
    remove(bucket, object) {
      const key = objectKey(bucket, object.metadata.namespace ?? "", object.metadata.name);
      rv += 1;
      commit(() => del.run(key));
      buckets.get(bucket)?.delete(key);
      const gone: Obj = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
      listener({ type: "DELETED", bucket, key, object: gone, rv });
      return gone;
    },
    currentRv: () => rv,
    onChange(fn) {
      listener = fn;
    },
    close() {
      db.close();
    },
  };
}

function bucketMap(buckets: Map<string, Map<string, Obj>>, bucket: string): Map<string, Obj> {
  let m = buckets.get(bucket);
  if (m === undefined) {
    m = new Map();
    buckets.set(bucket, m);
  }
  return m;
}

function byNamespaceName(a: Obj, b: Obj): number {
  const ka = `${a.metadata.namespace ?? ""}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ""}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
