/** The shape pg-boss accepts as `db` so a job insert joins our transaction. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Enqueues through whatever queue library the app uses, inside `exec`'s transaction. */
export type Enqueue = (name: string, data: object, exec: SqlExecutor) => Promise<string | null>;
