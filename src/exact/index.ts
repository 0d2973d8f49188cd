export * from './onsager.js';
export * from './kaufman.js';
export * from './enumeration.js';
export * from './transfer-matrix.js';
export * from './finite-lattice.js';
