/** A readable message from a tRPC error, including the first validation issue. */
export function errorMessage(e: unknown): string {
  const err = e as { message?: string; data?: { zodIssues?: { path: string; message: string }[] | null } };
  const issue = err?.data?.zodIssues?.[0];
  if (issue) return `${issue.path || 'input'}: ${issue.message}`;
  return err?.message ?? 'Something went wrong';
}
