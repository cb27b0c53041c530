// The cluster's TLS identity: a self-signed CA and a server certificate for 127.0.0.1 and
// localhost signed by it, plus the bearer token. Kept in the data dir so a restarted cluster
// keeps serving with the CA already written into kubeconfigs. Not a PKI: one CA, one leaf.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

/** Identity is what the server needs to serve HTTPS and check callers. */
export interface Identity {
  caPem: string;
  certPem: string;
  keyPem: string;
  token: string;
}

/** loadOrCreateIdentity reads the identity from dir/tls, creating it on first start. */
export async function loadOrCreateIdentity(dataDir: string): Promise<Identity> {
  const dir = join(dataDir, "tls");
  const files = { caPem: "ca.crt", certPem: "server.crt", keyPem: "server.key", token: "token" };
  if (Object.values(files).every((f) => existsSync(join(dir, f)))) {
    const read = (f: string): string => readFileSync(join(dir, f), "utf8");
    return { caPem: read(files.caPem), certPem: read(files.certPem), keyPem: read(files.keyPem), token: read(files.token).trim() };
  }
  const identity = await createIdentity();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [field, file] of Object.entries(files)) {
    writeFileSync(join(dir, file), identity[field as keyof Identity], { mode: 0o600 });
  }
  return identity;
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
