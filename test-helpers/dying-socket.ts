// A device that vanishes mid-round: its socket closes (no goodbye) right after it sends a given
// message type, once. For dropout tests of secure aggregation with real clients.

import { nodeSocketFactory } from '../client/node/ws-socket.js';
import type { SocketFactory } from '../client/socket.js';
import { decodeFrame } from '../shared/protocol/codec.js';

export function dyingAfter(type: string): { factory: SocketFactory; vanished: () => boolean } {
  let vanished = false;
  const factory: SocketFactory = (url) => {
    const s = nodeSocketFactory()(url);
    const send = s.send.bind(s);
    s.send = (data: Uint8Array) => {
      send(data);
      if (!vanished && decodeFrame(new Uint8Array(data)).type === type) {
        vanished = true;
        s.close(4000, 'vanished');
      }
    };
    return s;
  };
  return { factory, vanished: () => vanished };
}
