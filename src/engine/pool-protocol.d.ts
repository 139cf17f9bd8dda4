export declare const CTL: {
  readonly GEN: 0; readonly KERNEL: 1; readonly NARGS: 2; readonly SHARES: 3; readonly TOTAL: 4;
  readonly GRAIN: 5; readonly DONE: 6; readonly ERROR: 7; readonly STOP: 8; readonly CHUNKS: 9; readonly NEXT: 10;
};
export declare const CTL_INTS: number;
export declare const MAX_ARGS: number;
export declare function shareRange(i: number, n: number, total: number, grain: number): [number, number];
export declare function takeChunks(ctl: Int32Array, call: (start: number, end: number) => void): void;
