import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBTableFunction, DuckDBTypeId, INTEGER, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { entryBytes } from './chunkAppender.js';

/** The table function the pump's INSERTs read from (registered once per connection). */
const FUNCTION = 'pnyx_chunk_queue';
/** Chunks one INSERT statement takes at most before the pump looks at the other tables' queues. */
const CHUNKS_PER_STATEMENT = 64;
/**
 * Chunks queued in all (every table) before `room` makes the producer wait. DuckDB takes no chunk
 * while it compresses and writes a full row group (1.3–1.8 s for 122,880 bench requests): with 16,
 * the parse workers waited ~0.9 s at each of those; 40 covers most of it (1M rows: 3–6% less wall
 * time at the same CPU, +70–280 MB peak RSS).
 */
export const PUMP_QUEUED_CHUNKS = 40;
/**
 * Chunks a queue holds before a statement starts for it (any number while draining): a statement
 * costs ~1.5 ms beyond its rows (measured: 300 one-chunk statements against 5), and a queue
 * refilled as fast as DuckDB empties it would otherwise get a statement for every chunk or two.
 */
const START_CHUNKS = 4;

/** PNYX_PUMP=0: ingest writes through Appenders on the main thread instead (for A/B runs). */
export function pumpEnabled(): boolean {
  return process.env.PNYX_PUMP !== '0';
}

/** What a ChunkAppender hands its filled chunks to. */
export interface ChunkSink {
  /** Takes a filled chunk (its size set; `nullable`: the columns that may hold NULLs); returns the (empty) chunk to fill next. */
  put(chunk: DuckDBDataChunk, nullable: readonly boolean[]): DuckDBDataChunk;
  /** No more chunks (a queue's are written by the time its pump is drained). */
  close(): void;
  /** The rows put so far are abandoned (the surrounding transaction rolls back). */
  abort(): void;
}

interface Queued {
  chunk: DuckDBDataChunk;
  nullable: readonly boolean[];
}

/** One table's queue of filled chunks. */
class PumpQueue implements ChunkSink {
  readonly chunks: Queued[] = [];
  /** Chunks DuckDB is done with, to be filled again. */
  private readonly pool: DuckDBDataChunk[] = [];
  closed = false;

  constructor(
    private readonly pump: ChunkPump,
    readonly id: number,
    /** The table, as an INSERT names it. */
    readonly table: string,
    readonly types: readonly DuckDBType[],
  ) {}

  /** An empty chunk to fill. */
  fresh(): DuckDBDataChunk {
    return this.pool.pop() ?? DuckDBDataChunk.create(this.types);
  }

  put(chunk: DuckDBDataChunk, nullable: readonly boolean[]): DuckDBDataChunk {
    this.chunks.push({ chunk, nullable: nullable.slice() });
    this.pump.kick();
    return this.fresh();
  }

  /** DuckDB has consumed this chunk's rows: it can be filled again. */
  recycle(chunk: DuckDBDataChunk): void {
    duckdb.data_chunk_reset(chunk.chunk);
    this.pool.push(chunk);
  }

  close(): void {
    this.closed = true;
  }

  abort(): void {
    this.closed = true;
    this.chunks.length = 0;
    this.pump.abandon(this);
  }
}

/**
 * Writes DataChunks filled on the JS thread into tables from DuckDB's own threads, so that the
 * main thread is free while DuckDB appends them (copies every string into its segments) and
 * compresses and writes each full row group. A ChunkAppender's Appender flush does that work
 * synchronously, on the main thread, and the parse workers wait for it.
 *
 * Each table has a queue of filled chunks. The pump runs one `INSERT INTO table SELECT * FROM
 * pnyx_chunk_queue(id)` at a time on the connection (so in its transaction), asynchronously;
 * DuckDB calls the table function back on the JS thread for each chunk, which hands over the next
 * queued one (its vectors' contents are copied into DuckDB's output chunk; string entries keep
 * pointing into the queued chunk's heap, which is kept until DuckDB asks for the next chunk or
 * the statement ends). A statement ends when its queue is empty or after CHUNKS_PER_STATEMENT
 * chunks; then the pump starts one for the fullest queue that holds START_CHUNKS (any, while it
 * drains or holds the producer back).
 *
 * While a statement runs it holds the connection: nothing on the JS thread may call the
 * connection synchronously (an Appender's flushSync would wait for the statement, which waits
 * for the JS thread). Asynchronous queries queue behind it. Call `drain` before using the
 * connection again.
 *
 * From `claim` until a `drain` that leaves no queue open, DuckDB runs on one thread (see
 * `holdOneThread`); a rolled-back run leaves it there until the next writer's last drain.
 */
export class ChunkPump {
  private readonly queues = new Map<number, PumpQueue>();
  private nextId = 1;
  private running: Promise<void> | undefined;
  private current: PumpQueue | undefined;
  /** The chunk DuckDB is reading from, and its queue. */
  private lent: { chunk: DuckDBDataChunk; queue: PumpQueue } | undefined;
  private served = 0;
  private failure: unknown;
  /** In `drain`: a statement starts for any queued chunk. */
  private draining = false;
  private waiters: (() => void)[] = [];
  /** DuckDB's `threads` setting while no pump was claimed, when the pump has set it to 1. */
  private threadsBefore: number | undefined;

  private constructor(private readonly conn: DuckDBConnection) {}

  private static readonly byConnection = new WeakMap<DuckDBConnection, ChunkPump>();

  /**
   * The connection's pump (one per connection: its table function is registered with it). Call it
   * first outside a transaction (PnyxDb.open does): a function registered inside one is gone
   * again if it rolls back.
   */
  static of(conn: DuckDBConnection): ChunkPump {
    let pump = ChunkPump.byConnection.get(conn);
    if (!pump) {
      pump = new ChunkPump(conn);
      pump.register();
      ChunkPump.byConnection.set(conn, pump);
    }
    return pump;
  }

  /**
   * The connection's pump, ready for a new transaction's writer (see `reset`). From here until a
   * `drain` that leaves no queue open, DuckDB runs on one thread (see `holdOneThread`).
   */
  static async claim(conn: DuckDBConnection): Promise<ChunkPump> {
    const pump = ChunkPump.of(conn);
    await pump.reset();
    await pump.holdOneThread();
    return pump;
  }

  /** A queue into `table` (columns of `types`, in table order). */
  queue(table: string, types: readonly DuckDBType[]): PumpQueue {
    if (this.failure !== undefined) this.rethrow();
    const q = new PumpQueue(this, this.nextId++, table, types);
    this.queues.set(q.id, q);
    return q;
  }

  /** Chunks waiting in all queues. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.chunks.length;
    return n;
  }

  /** Resolves once fewer than `limit` chunks wait (the producer's back-pressure); throws what a statement failed with. */
  async room(limit = PUMP_QUEUED_CHUNKS): Promise<void> {
    await this.waitWhile(() => this.queued >= limit);
    if (this.failure !== undefined) this.rethrow();
  }

  /** Resolves once every queued chunk is in its table and no statement runs; throws what a statement failed with. Closed queues are then forgotten. */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      await this.waitWhile(() => this.running !== undefined || this.queued > 0);
    } finally {
      this.draining = false;
    }
    this.forgetClosed();
    if (this.failure !== undefined) this.rethrow();
    if (this.queues.size === 0) await this.releaseThreads();
  }

  /** Waits while `busy` holds and no statement has failed, starting a statement for any queued chunk. */
  private async waitWhile(busy: () => boolean): Promise<void> {
    while (this.failure === undefined && busy()) {
      this.kick(1);
      await this.change();
    }
  }

  /**
   * Sets DuckDB's `threads` to 1 (an instance-wide setting, not undone by a rollback), keeping the
   * old value for `releaseThreads`. A pump statement's only work is one pipeline whose source
   * waits on the JS thread; with more threads, a DuckDB thread runs that pipeline while the
   * thread that started the statement polls the task queue for the whole statement (a mutex
   * lock and unlock per poll: 4% of a 300k run's CPU in `perf`, more under contention). With one
   * thread, the statement's own thread runs the pipeline and nothing polls.
   */
  private async holdOneThread(): Promise<void> {
    if (this.threadsBefore !== undefined) return;
    const rows = (await this.conn.runAndReadAll("SELECT current_setting('threads')")).getRows();
    const threads = Number(rows[0]![0]);
    if (threads <= 1) return;
    await this.conn.run('SET threads = 1');
    this.threadsBefore = threads;
  }

  /** Gives DuckDB back the threads `holdOneThread` took (for the queries after the writes). */
  private async releaseThreads(): Promise<void> {
    if (this.threadsBefore === undefined) return;
    const threads = this.threadsBefore;
    this.threadsBefore = undefined;
    await this.conn.run(`SET threads = ${threads}`);
  }

  /** Drops a queue (its rows are abandoned with the transaction); a statement reading it ends at its next chunk. */
  abandon(q: PumpQueue): void {
    this.queues.delete(q.id);
  }

  /**
   * Before a new transaction writes: waits for a statement of an abandoned one (rolled back) to
   * end, whatever its outcome, and forgets its failure and its closed queues.
   */
  async reset(): Promise<void> {
    while (this.running !== undefined) await this.change();
    this.forgetClosed();
    this.failure = undefined;
  }

  private forgetClosed(): void {
    for (const [id, q] of this.queues) if (q.closed) this.queues.delete(id);
  }

  /** Starts a statement for the fullest queue that holds `least` chunks, unless one runs (or one failed). */
  kick(least = this.draining ? 1 : START_CHUNKS): void {
    if (this.running !== undefined || this.failure !== undefined) return;
    let best: PumpQueue | undefined;
    for (const q of this.queues.values()) if (q.chunks.length >= least && (!best || q.chunks.length > best.chunks.length)) best = q;
    if (!best) return;
    this.current = best;
    this.served = 0;
    this.running = this.conn.run(`INSERT INTO ${best.table} SELECT * FROM ${FUNCTION}(${best.id})`).then(
      () => this.ended(),
      (err: unknown) => {
        this.failure = err;
        this.ended();
      },
    );
  }

  private ended(): void {
    this.giveBack();
    this.running = undefined;
    this.current = undefined;
    this.kick();
    this.notify();
  }

  private giveBack(): void {
    if (this.lent) {
      this.lent.queue.recycle(this.lent.chunk);
      this.lent = undefined;
    }
  }

  private change(): Promise<void> {
    return new Promise<void>((r) => this.waiters.push(r));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private rethrow(): never {
    throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
  }

  private register(): void {
    const fn = DuckDBTableFunction.create({
      name: FUNCTION,
      parameterTypes: [INTEGER],
      bindFunction: (info) => {
        const id = Number(info.getParameter(0) as number);
        const q = this.queues.get(id);
        if (!q) {
          info.setError(`${FUNCTION}: no queue ${id}`);
          return;
        }
        q.types.forEach((t, i) => info.addResultColumn(`c${i}`, t));
        info.setBindData({ id });
      },
      initFunction: (info) => info.setMaxThreads(1),
      mainFunction: (info, out) => {
        // DuckDB asks for the next chunk once it has appended the previous one.
        this.giveBack();
        const q = this.current;
        const next = q !== undefined && this.queues.has(q.id) && this.served < CHUNKS_PER_STATEMENT ? q.chunks.shift() : undefined;
        if (!q || !next) {
          duckdb.data_chunk_set_size(out.chunk, 0);
          return;
        }
        this.served++;
        copyChunk(next.chunk, out, q.types, next.nullable);
        this.lent = { chunk: next.chunk, queue: q };
        this.notify();
      },
    });
    this.conn.registerTableFunction(fn);
  }
}

/**
 * Copies `from`'s rows into DuckDB's output chunk: each vector's data (a string's 16-byte entry
 * as it is: a long one keeps pointing into `from`'s heap), validity where a column may hold
 * NULLs, and a list's child entries.
 */
function copyChunk(from: DuckDBDataChunk, out: DuckDBDataChunk, types: readonly DuckDBType[], nullable: readonly boolean[]): void {
  const n = duckdb.data_chunk_get_size(from.chunk);
  for (let i = 0; i < types.length; i++) {
    const width = entryBytes(types[i]!);
    const src = duckdb.data_chunk_get_vector(from.chunk, i);
    const dst = duckdb.data_chunk_get_vector(out.chunk, i);
    if (types[i]!.typeId === DuckDBTypeId.LIST) {
      const items = duckdb.list_vector_get_size(src);
      duckdb.list_vector_reserve(dst, items);
      duckdb.list_vector_set_size(dst, items);
      if (items > 0) {
        const entries = duckdb.vector_get_data(duckdb.list_vector_get_child(src), items * 16);
        duckdb.copy_data_to_vector(duckdb.list_vector_get_child(dst), 0, entries.buffer as ArrayBuffer, entries.byteOffset, items * 16);
      }
    }
    const data = duckdb.vector_get_data(src, n * width);
    duckdb.copy_data_to_vector(dst, 0, data.buffer as ArrayBuffer, data.byteOffset, n * width);
    if (nullable[i]) {
      const bytes = Math.ceil(n / 64) * 8;
      const validity = duckdb.vector_get_validity(src, bytes);
      duckdb.vector_ensure_validity_writable(dst);
      duckdb.copy_data_to_vector_validity(dst, 0, validity.buffer as ArrayBuffer, validity.byteOffset, bytes);
    }
  }
  duckdb.data_chunk_set_size(out.chunk, n);
}
