// ddp.ts: data parallelism across pods over plain TCP. Rank 0 listens at the master address;
// every other rank connects and says which rank it is. An all-reduce is a star: each rank sends
// its arrays (one length-prefixed frame of float32s) to rank 0, which adds them in rank order —
// so the sum is the same on every run — and sends the total back to all. A broadcast is rank 0's
// frame sent to all. Simple and adequate
// for the gradient sizes of the models trained here; not a ring all-reduce.
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Collective } from "./collective.ts";

/** TcpOptions locate the gang: this rank, the world size and rank 0's address. */
export interface TcpOptions {
  rank: number;
  worldSize: number;
  host: string;
  port: number;
  /** timeoutMs bounds how long ranks wait for each other to appear. */
  timeoutMs: number;
}

/** FrameReader turns a socket's byte stream into length-prefixed frames. */
class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private failed: Error | null = null;

  constructor(socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      this.drain();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("ddp: peer closed the connection")));
  }

  next(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failed !== null && this.size === 0) {
        reject(this.failed);
        return;
      }
      this.waiting.push({ resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.size >= 4) {
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const n = all.readUInt32LE(0);
      if (all.length < 4 + n) {
        this.chunks = [all];
        return;
      }
      const frame = Buffer.from(all.subarray(4, 4 + n));
      const rest = all.subarray(4 + n);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      const w = this.waiting.shift();
      if (w !== undefined) w.resolve(frame);
    }
  }
}

function send(socket: Socket, payload: Buffer): void {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(payload.length, 0);
  socket.write(head);
  socket.write(payload);
}

function pack(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((a, x) => a + x.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function unpack(flat: Float32Array, arrays: Float32Array[]): void {
  let at = 0;
  for (const a of arrays) {
    a.set(flat.subarray(at, at + a.length));
    at += a.length;
  }
}

function asFloats(b: Buffer): Float32Array {
  const f = new Float32Array(b.length / 4);
  Buffer.from(f.buffer).set(b);
  return f;
}

function asBuffer(f: Float32Array): Buffer {
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

/** connectTcp forms the gang and returns this rank's Collective (rank 0 waits for all others). */
export async function connectTcp(o: TcpOptions): Promise<Collective> {
  if (o.worldSize === 1) throw new Error("ddp: a world of one needs no TCP collective");
  return o.rank === 0 ? await serve(o) : await join(o);
}

async function serve(o: TcpOptions): Promise<Collective> {
  const peers = new Map<number, { socket: Socket; reader: FrameReader }>();
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ddp: only ${peers.size + 1} of ${o.worldSize} ranks joined in ${o.timeoutMs} ms`)), o.timeoutMs);
    server.on("connection", (socket) => {
      socket.setNoDelay(true);
      const reader = new FrameReader(socket);
      void reader.next().then((hello) => {
        peers.set(hello.readUInt32LE(0), { socket, reader });
        if (peers.size === o.worldSize - 1) {
          clearTimeout(timer);
          resolve();
        }
      }, () => {});
    });
    server.on("error", reject);
    // Rank 0 listens on all of its pod's interfaces, not on o.host: its own DNS name may not
    // resolve yet when it starts (the record appears only once the pod has an IP and its
    // Service lists it), and the other ranks reach it by that name once it does.
    server.listen(o.port);
  });
  return {
    rank: 0,
    worldSize: o.worldSize,
    async allReduceSum(arrays) {
      const sum = pack(arrays);
      for (let r = 1; r < o.worldSize; r++) {
        const peer = peers.get(r);
        if (peer === undefined) throw new Error(`ddp: rank ${r} is missing`);
        const part = asFloats(await peer.reader.next());
        if (part.length !== sum.length) throw new Error(`ddp: rank ${r} sent ${part.length} values, expected ${sum.length}`);
        for (let i = 0; i < sum.length; i++) sum[i] += part[i];
      }
      for (const { socket } of peers.values()) send(socket, asBuffer(sum));
      unpack(sum, arrays);
    },
    async broadcast(data) {
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      for (const { socket } of peers.values()) send(socket, bytes);
    },
    async close() {
      for (const { socket } of peers.values()) socket.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function join(o: TcpOptions): Promise<Collective> {
  const deadline = Date.now() + o.timeoutMs;
  let socket: Socket | null = null;
  while (socket === null) {
    try {
      socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: o.host, port: o.port }, () => resolve(s));
        s.once("error", reject);
      });
    } catch (e) {
      // Rank 0 may not be listening yet: retry until the deadline.
      if (Date.now() > deadline) throw new Error(`ddp: rank ${o.rank} could not reach ${o.host}:${o.port}: ${String(e)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const s = socket;
  s.setNoDelay(true);
  const reader = new FrameReader(s);
  const hello = Buffer.alloc(4);
  hello.writeUInt32LE(o.rank, 0);
  send(s, hello);
  return {
    rank: o.rank,
    worldSize: o.worldSize,
    async allReduceSum(arrays) {
      send(s, asBuffer(pack(arrays)));
      unpack(asFloats(await reader.next()), arrays);
    },
    async broadcast(data) {
      const b = await reader.next();
      if (b.length !== data.byteLength) throw new Error(`ddp: rank 0 broadcast ${b.length} bytes, expected ${data.byteLength}`);
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(b);
    },
    async close() {
      s.end();
    },
  };
}
