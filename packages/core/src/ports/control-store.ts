/**
 * The control lease and the action log (packages/core/src/control). Part of
 * the Store port (`store.controls`, `tx.controls`).
 */

/** Who drives a desktop: a program (an API token) or a person in the browser; one row per environment. */
export interface ControlLeaseRecord {
  environmentId: string;
  /** null: nobody holds it (never did, the program's lease expired, or it was handed back with no program waiting). */
  holderKind: 'program' | 'person' | null;
  /** The program's token while it holds (kept after its lease expires, so the owner sees who held it). */
  tokenId: string | null;
  /** The person holding control. */
  userId: string | null;
  /** The program a person took control from; hand-back returns control to it. */
  suspendedTokenId: string | null;
  programsAllowed: boolean;
  /** When a program's lease ends without further calls. */
  expiresAt: Date | null;
  updatedAt: Date;
}

export type ControlLeasePatch = Partial<Pick<ControlLeaseRecord, 'holderKind' | 'tokenId' | 'userId' | 'suspendedTokenId' | 'programsAllowed' | 'expiresAt'>>;

/** One action a program (or a person through the API) took, with its parameters as logged. */
export interface ControlActionRecord {
  environmentId: string;
  at: Date;
  actorKind: 'program' | 'person';
  /** "token NAME" for a program, the person's name or email otherwise. */
  actorName: string;
  tokenId: string | null;
  action: string;
  params: Record<string, unknown>;
  /** Which screen a screenshot answered with (the engine's version), so the log lines up with what the program saw. */
  screenshotRef: string | null;
}

/** Names for messages and the status: a token's name, a user's name (or email). */
export interface ControlNames {
  tokenName(tokenId: string): Promise<string | null>;
  userName(userId: string): Promise<string | null>;
}

export interface ControlReads extends ControlNames {
  find(environmentId: string): Promise<ControlLeaseRecord | null>;
  appendAction(a: ControlActionRecord): Promise<void>;
  /** The newest `limit` actions (only those inside `window`, when given), oldest first. */
  listActions(environmentId: string, limit: number, window?: { from: Date; to: Date }): Promise<ControlActionRecord[]>;
}

export interface ControlTx extends ControlNames {
  /** The environment's lease, created (nobody holding, programs allowed) when missing, row-locked until the transaction ends. */
  lock(environmentId: string): Promise<ControlLeaseRecord>;
  update(environmentId: string, patch: ControlLeasePatch): Promise<ControlLeaseRecord>;
}
