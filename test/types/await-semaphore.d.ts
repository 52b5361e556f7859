// await-semaphore 0.1.3 ships its TypeScript source (index.ts, CommonJS) and no declaration file; under
// verbatimModuleSyntax the compiler rejects that file's own `export class`, so the tests that import it
// see these declarations instead (test/tsconfig.json `paths`), which match index.ts's API.
export declare class Semaphore {
  constructor(count: number);
  count: number;
  acquire(): Promise<() => void>;
  use<T>(f: () => Promise<T>): Promise<T>;
}
export declare class Mutex extends Semaphore {
  constructor();
}
