/** What bench/contended-counter.ts tells its workers (the start line: bench/lib/start-line.ts). */

export type CounterVariant = 'lockstep' | 'spin' | 'multithreading';
