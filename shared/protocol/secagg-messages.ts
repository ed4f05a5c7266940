// The messages of one secure-aggregation round (SecAgg+: Bonawitz et al. 2017, with the sparse
// neighbour graph of Bell et al. 2020). Participants are named by a round-local index, never by
// client id: client ids are secrets between each device and the coordinator.
//
//   offer.secure ─▶ sa-keys ─▶ sa-neighbours ─▶ sa-shares ─▶ sa-relay ─▶ sa-masked ─▶ sa-unmask-request ─▶ sa-unmask
//   (coordinator)   (client)   (coordinator)     (client)    (coord.)    (client)     (coordinator)          (client)

export type Curve = 'x25519' | 'p256';
export const CURVES: readonly Curve[] = ['x25519', 'p256'];

/** Carried by a train offer when the round runs secure aggregation. */
export interface SecureOffer {
  curve: Curve;
  /** 16 fresh random bytes per round: salt of every key derivation, so nothing carries over rounds. */
  session: Uint8Array;
}

// ---- client → coordinator
/** Stage 1: two fresh public keys, one to encrypt shares to this client, one for pairwise masks. */
export interface SaKeysMessage {
  type: 'sa-keys';
  round: number;
  encKey: Uint8Array;
  maskKey: Uint8Array;
}

/** Stage 2: one sealed share bundle per neighbour, which the coordinator relays but cannot open. */
export interface SaSharesMessage {
  type: 'sa-shares';
  round: number;
  shares: { to: number; sealed: Uint8Array }[];
}

/** Stage 3: the quantized, clipped update plus masks, little-endian uint32 words (model + 1 clip bit). */
export interface SaMaskedMessage {
  type: 'sa-masked';
  round: number;
  modelVersion: number;
  masked: Uint8Array;
}

/** Stage 4: self-mask shares of survivors, mask-key shares of dropped clients (never both for one). */
export interface SaUnmaskMessage {
  type: 'sa-unmask';
  round: number;
  selfShares: { of: number; share: Uint8Array }[];
  keyShares: { of: number; share: Uint8Array }[];
}

// ---- coordinator → client
export interface SaNeighboursMessage {
  type: 'sa-neighbours';
  round: number;
  /** This client's index in the round (1-based). */
  index: number;
  /** Shares that reconstruct a secret; each client splits into neighbours + 1 (one kept). */
  threshold: number;
  /** Fixed-point scale of the quantization, chosen so the round's sum cannot wrap mod 2^32. */
  scale: number;
  neighbours: { index: number; encKey: Uint8Array; maskKey: Uint8Array }[];
  /** Present when the round runs distributed DP: each client noises its own input before masking. */
  dp?: DistributedDpParams;
}

/** What a client needs to add its share of the distributed Skellam noise (shared/secagg/distributed-dp.ts). */
export interface DistributedDpParams {
  /** 32 public random bytes of this round: the signs of the randomized rotation. */
  rotationSeed: Uint8Array;
  /** Δ2: the client re-rounds until its quantized, rotated update has at most this L2 norm. */
  normBound: number;
  /** μ_i: the variance of the Skellam share it adds to every coordinate (integer units). */
  noise: number;
  /** n: the clients that advertised keys, which the plan divides the noise among (the device checks μ_i against it). */
  clients: number;
  /** p: the dropout rate the shares over-provision for. */
  dropoutRate: number;
}

export interface SaRelayMessage {
  type: 'sa-relay';
  round: number;
  shares: { from: number; sealed: Uint8Array }[];
}

export interface SaUnmaskRequestMessage {
  type: 'sa-unmask-request';
  round: number;
  /** Neighbours whose masked input arrived: the coordinator asks for their self-mask shares. */
  survivors: number[];
  /** Neighbours that shared keys but sent no masked input: it asks for their mask-key shares. */
  dropped: number[];
}

export type SecAggClientMessage = SaKeysMessage | SaSharesMessage | SaMaskedMessage | SaUnmaskMessage;
export type SecAggCoordinatorMessage = SaNeighboursMessage | SaRelayMessage | SaUnmaskRequestMessage;
