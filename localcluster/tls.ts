// The cluster's TLS identity: a self-signed CA and a server certificate for 127.0.0.1 and
// localhost signed by it, plus the bearer token. Kept in the data dir so a restarted cluster
// keeps serving with the CA already written into kubeconfigs. Not a PKI: one CA, one leaf.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

/** Identity is what the server needs to serve HTTPS and check callers. */
export interface Identity {
  caPem: string;
  certPem: string;
  keyPem: string;
  token: string;
}

const files = { caPem: "ca.crt", certPem: "server.crt", keyPem: "server.key", token: "token" } as const;

/**
 * loadOrCreateIdentity reads the identity from dir/tls, creating it on first start. It is
 * written whole or not at all (into tls.tmp, then renamed), so a crash mid-write leaves no
 * half identity; an empty or missing file in an existing tls/ is refused, naming the fix.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<Identity> {
  const dir = join(dataDir, "tls");
  if (existsSync(dir)) return readIdentity(dir);
  const identity = await createIdentity();
  const tmp = join(dataDir, "tls.tmp");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  for (const [field, file] of Object.entries(files)) {
    writeFileSync(join(tmp, file), identity[field as keyof Identity], { mode: 0o600 });
  }
  renameSync(tmp, dir);
  return identity;
}

/** readIdentity reads an identity written earlier; every file must be there and hold something. */
function readIdentity(dir: string): Identity {
  const read = (file: string): string => {
    const path = join(dir, file);
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (text.trim() === "") throw new Error(`the cluster identity file ${path} is missing or empty: remove ${dir} to make a new identity (kubeconfigs written before then need the new CA)`);
    return text;
  };
  return { caPem: read(files.caPem), certPem: read(files.certPem), keyPem: read(files.keyPem), token: read(files.token).trim() };
}

/** createIdentity makes a fresh CA, a server certificate signed by it, and a random token. */
export async function createIdentity(): Promise<Identity> {
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const ca = await generate([{ name: "commonName", value: "temper-localcluster-ca" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: "commonName", value: "temper-localcluster" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    ],
  });
  return { caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private, token: randomBytes(24).toString("hex") };
}
