/**
 * Each session recording is encrypted at rest under its own data key
 * (object id: the recording's id), so deleting one recording's key makes
 * that recording unreadable everywhere, backups included.
 */
export const RECORDING_PURPOSE = 'recording';

/** What a recording's sealed file is bound to: a file copied onto another recording does not open. */
export const recordingContext = (recordingId: string) => `${RECORDING_PURPOSE}:${recordingId}`;
