/** A module-level async-mutex `Mutex` used by another file: the validator names it where it is declared. */
import { Mutex } from 'async-mutex';

export const sharedMutex = new Mutex();
