// Shared wrapper for the CLI scripts: print a failure as one readable
// message (plus its cause) instead of a stack trace, and exit non-zero.
// GENOS_DEBUG=1 shows the full error.
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (process.env.GENOS_DEBUG) {
      console.error(error);
    } else {
      const e = error as Error;
      console.error(`error: ${e?.message ?? String(error)}`);
      if (e?.cause instanceof Error) console.error(`cause: ${e.cause.message}`);
    }
    process.exitCode = 1;
  }
}
