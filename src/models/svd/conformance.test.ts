import { modelConformance } from '../conformance.js';
import { createModel } from '../registry.js';

modelConformance('svd', () => createModel('svd', { factors: 16, epochs: 20, lr_all: 0.01 }));
modelConformance('svdpp', () => createModel('svdpp', { factors: 8, epochs: 20 }));
