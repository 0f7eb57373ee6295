// Entry of the AssemblyScript WASM SIMD kernels, compiled by scripts/build-wasm.mjs to kernels.wasm.
// Every pointer is a byte address in the one (shared) linear memory; matrices are row-major f32 unless
// named *64. Lengths need not be multiples of 4: each loop has a scalar tail. Mirrors src/kernels/ts/.
// The sources have an .as extension so that tsc/esbuild (which see src/**/*.ts) leave them alone.
export {
  heapBase, dot, axpy, scal, scoreRows, scoreBlock, syrk, gram,
  cholesky64, cholSolve64, cholesky32, cholSolve32, csrDense,
} from './blas';
export { implicitCg, implicitChol, explicitRows, implicitLoss } from './als';
export { packItems, scorePacked, selectTop, recommendRows } from './score';
export { bprSteps } from './bpr';
export { foldSgd } from './foldin';
