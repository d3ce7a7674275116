import { mkdir, open, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { EventRecord } from '../domain/event.js';
import { Problem } from '../domain/errors.js';
import type { Logger } from '../util/logger.js';
import { decodeStore, encodeStore, STORE_FILE_NAME, StoreFileError } from './store-file.js';

/** What a change computes from the current events: the next events and the answer, or a refusal. */
export type Outcome<T> = { readonly events: readonly EventRecord[]; readonly result: T } | Problem;

/** write-file-atomic's temporary files (`store.json.<number>`), left behind by a crash mid-write. */
const TEMP_FILE = new RegExp(`^${STORE_FILE_NAME.replace('.', '\\.')}\\.\\d+$`);

/**
 * The persisted events and destinations. Reads come from memory; every change is computed against
 * the latest state inside a queue (so no two writes interleave and a uniqueness check cannot race),
 * written durably (temporary file fsynced, renamed over the old one, directory fsynced), and only
 * then becomes the state that reads see and that the caller may acknowledge with a 2xx. A refused
 * change writes nothing; a failed write leaves both the file and the state as they were.
 */
export class Store {
  private records: readonly EventRecord[] = [];
  private byId = new Map<string, EventRecord>();
  private byIngestKey = new Map<string, string>();
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly file: string,
    private readonly log: Logger,
  ) {}

  /**
   * Opens (creating the data directory if missing) and loads the store. Throws StoreFileError,
   * naming the file, when it exists but cannot be read or is not a valid store: it is never
   * overwritten then.
   */
  static async open(dataDir: string, log: Logger): Promise<Store> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const store = new Store(dataDir, join(dataDir, STORE_FILE_NAME), log);
    let text: string | null = null;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StoreFileError(store.file, `cannot be read (${code ?? (error as Error).message})`);
    }
    store.install(text === null ? [] : decodeStore(store.file, text));
    await store.removeTemporaryFiles();
    log.info({ file: store.file, events: store.records.length }, text === null ? 'store empty: store.json is written at the first change' : 'store loaded');
    return store;
  }

  get events(): readonly EventRecord[] {
    return this.records;
  }

  event(id: string): EventRecord | undefined {
    return this.byId.get(id);
  }

  eventIdForIngestKey(ingestKey: string): string | null {
    return this.byIngestKey.get(ingestKey) ?? null;
  }

  /**
   * Runs `compute` on the current events after every earlier change is on disk, persists what it
   * returns and resolves with its result (or its Problem, with nothing written). Rejects if the
   * write fails; the state is then unchanged.
   */
  change<T>(compute: (events: readonly EventRecord[]) => Outcome<T>): Promise<T | Problem> {
    const run = this.tail.then(async () => {
      const outcome = compute(this.records);
      if (outcome instanceof Problem) return outcome;
      if (outcome.events === this.records) return outcome.result; // nothing changed: nothing to write
      await this.persist(outcome.events);
      this.install(outcome.events);
      return outcome.result;
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves once every change queued so far is on disk (or has failed). */
  idle(): Promise<void> {
    return this.tail;
  }

  private install(events: readonly EventRecord[]): void {
    this.records = events;
    this.byId = new Map(events.map((event) => [event.id, event]));
    this.byIngestKey = new Map(events.map((event) => [event.ingestKey, event.id]));
  }

  private async persist(events: readonly EventRecord[]): Promise<void> {
    await writeFileAtomic(this.file, encodeStore(events), { mode: 0o600, fsync: true });
    // The rename is durable only once the directory entry is on disk too.
    const directory = await open(this.dataDir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }

  private async removeTemporaryFiles(): Promise<void> {
    for (const name of await readdir(this.dataDir)) {
      if (!TEMP_FILE.test(name)) continue;
      await unlink(join(this.dataDir, name)).catch(() => undefined);
      this.log.info({ file: join(this.dataDir, name) }, 'removed a temporary file left by an interrupted write');
    }
  }
}
