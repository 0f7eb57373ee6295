import { defineModel, type ModelEntry } from '../entry.js';
import { EaseModel, type EaseParams } from './ease.js';

export { EaseModel, easeMemoryBytes, type EaseParams } from './ease.js';

/** Registry entries of this family. */
export const easeModels: ModelEntry[] = [
  defineModel({
    name: 'ease',
    summary: 'EASE (Steck 2019): closed-form item-item linear model, B = I - P·diag(1/diag P), P = (XᵀX + λI)⁻¹',
    task: 'ranking',
    params: {
      lambda: {
        default: 500,
        min: 0,
        doc: 'L2 regularisation λ added to the diagonal of XᵀX (default 500; 0.3253 NDCG@10 on the ML-100K implicit split; must make XᵀX + λI positive definite)',
      },
      maxItems: {
        default: 15000,
        min: 1,
        integer: true,
        doc: 'refuse (E_TOO_LARGE) when more items than this have training rows: the dense solve needs n²×12 bytes and n³ flops (default 15000 ≈ 2.7 GB)',
      },
      halfLifeDays: {
        default: 0,
        min: 0,
        doc: 'time decay: each interaction weighs 0.5^(age/halfLifeDays), age in days before the latest timestamp in the data; 0 = off (default 0; needs timestamps)',
      },
      binary: {
        default: false,
        doc: 'use 1 for every interaction instead of its value (default false: the data values, already 1 for binary implicit data)',
      },
    },
    build: (name, params) => new EaseModel(name, params as EaseParams),
  }),
];
