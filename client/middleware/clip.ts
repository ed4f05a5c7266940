// Clips the update to the round's L2 bound before it leaves, so the device never sends more than
// the coordinator's noise was calibrated for (the coordinator enforces the same bound).

import { forEachRange, updateNorm, type UpdateMiddleware } from './types.js';

export const clipUpdate: UpdateMiddleware = (u, ctx) => {
  const c = ctx.config.clipNorm;
  const norm = updateNorm(u);
  if (norm <= c) return { ...u, norm };
  const scale = c / norm;
  const d = u.delta;
  forEachRange(u, (a, b) => {
    for (let i = a; i < b; i++) d[i] *= scale;
  });
  return { ...u, norm: c, clipped: true };
};
