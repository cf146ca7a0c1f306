/**
 * Spreadsheet formula injection: a cell starting with = + - @ tab or CR is executed by Excel and
 * friends. Prefix such cells with a single quote (OWASP's recommendation) so they read as text.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The inverse for import: a cell we neutralised on export comes back as it was. */
export function restoreCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
