/** A one-line progress bar for terminals; redraws at most every 100 ms. */
export function progressBar(write: (s: string) => void): (done: number, total: number, final?: boolean) => void {
  let last = 0;
  return (done, total, final = false) => {
    const now = Date.now();
    if (!final && now - last < 100) return;
    last = now;
    const width = 30;
    const frac = total === 0 ? 1 : done / total;
    const filled = Math.round(frac * width);
    write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${final ? '\n' : ''}`);
  };
}
