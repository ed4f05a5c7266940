// Clips the update to the round's L2 bound before it leaves, so the device never sends more than
// the coordinator's noise was calibrated for (the coordinator enforces the same bound).

import { l2Norm, type UpdateMiddleware } from './types.js';

export const clipUpdate: UpdateMiddleware = (u, ctx) => {
  const c = ctx.config.clipNorm;
  const norm = l2Norm(u.delta);
  if (norm <= c) return { ...u, norm };
  const scale = c / norm;
  const d = u.delta;
  for (let i = 0; i < d.length; i++) d[i] *= scale;
  return { ...u, norm: c, clipped: true };
};
