import type { AuditRecord } from '../ports/admin-store';

/** RFC 4180: quote every field that holds a comma, quote, CR or LF, doubling inner quotes. Formula-looking cells get a leading quote. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  // Spreadsheets run cells starting with = + - @ as formulas: keep them text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const AUDIT_CSV_COLUMNS = ['at', 'actorKind', 'actorId', 'actorEmail', 'action', 'targetType', 'targetId', 'ip', 'before', 'after'] as const;

/** The audit rows as CSV text with a header line, CRLF line ends. */
export function auditToCsv(rows: AuditRecord[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(AUDIT_CSV_COLUMNS.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
