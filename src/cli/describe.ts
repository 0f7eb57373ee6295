import type { Dataset } from '../data/dataset.js';

/** Summary figures of a dataset, for `affinity data inspect`. */
export function describeDataset(d: Dataset): Record<string, unknown> {
  const uc = d.userCounts();
  const ic = d.itemCounts();
  let minV = Infinity;
  let maxV = -Infinity;
  const hist = new Map<number, number>();
  for (let k = 0; k < d.size; k++) {
    const v = d.value[k];
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
    if (hist.size <= 20 || hist.has(v)) hist.set(v, (hist.get(v) ?? 0) + 1);
  }
  let tMin = Infinity;
  let tMax = -Infinity;
  if (d.time) for (let k = 0; k < d.size; k++) {
    const t = d.time[k];
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const activeUsers = uc.filter((c) => c > 0).length;
  const activeItems = ic.filter((c) => c > 0).length;
  const sortedU = Int32Array.from(uc).sort();
  const values = hist.size <= 20 ? Object.fromEntries([...hist.entries()].sort((a, b) => a[0] - b[0])) : undefined;
  return {
    kind: d.kind,
    interactions: d.size,
    users: activeUsers,
    items: activeItems,
    density: activeUsers && activeItems ? Number((d.size / (activeUsers * activeItems)).toPrecision(4)) : 0,
    valueRange: [minV, maxV],
    ...(values ? { valueCounts: values } : {}),
    ratingScale: d.ratingScale,
    medianRowsPerUser: sortedU.length ? sortedU[sortedU.length >> 1] : 0,
    maxRowsPerUser: sortedU.length ? sortedU[sortedU.length - 1] : 0,
    timeRange: d.time ? [new Date(tMin * 1000).toISOString(), new Date(tMax * 1000).toISOString()] : null,
    itemFeatures: d.itemFeatures?.columns.map((c) => `${c.name}:${c.kind}`) ?? [],
    userFeatures: d.userFeatures?.columns.map((c) => `${c.name}:${c.kind}`) ?? [],
  };
}
