export { parseRule, type Node, type BinOp } from './parse.js';
export { compileRule, truthy, type CompiledRule, type RuleEnv, type Value } from './eval.js';
