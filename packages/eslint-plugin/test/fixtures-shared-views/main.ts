// The program's entry: where the shared views come from.
import { bump, tally } from './counter.js';
import { Pool } from './pool.js';
import { relay } from './relay.js';

const shared = new Int32Array(new SharedArrayBuffer(64));
bump(shared, 0);
tally(new Int32Array(8), 0);
relay(shared);
new Pool(shared).take(1);
