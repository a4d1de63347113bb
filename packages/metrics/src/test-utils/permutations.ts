/** All permutations of 0..k-1 (k <= 8), for brute-force checks in tests. */
export function allPermutations(k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (const rest of allPermutations(k - 1)) {
    for (let pos = 0; pos <= rest.length; pos++) out.push([...rest.slice(0, pos), k - 1, ...rest.slice(pos)]);
  }
  return out;
}

/** All injective maps of `rows` items into `cols` slots (as arrays of slot indices). */
export function allInjections(rows: number, cols: number): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const used = new Array<boolean>(cols).fill(false);
  const rec = (): void => {
    if (cur.length === rows) {
      out.push(cur.slice());
      return;
    }
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      cur.push(j);
      rec();
      cur.pop();
      used[j] = false;
    }
  };
  rec();
  return out;
}
