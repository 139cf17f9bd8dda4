// The registry of task families, in the fixed order datasets list them.
import type { FamilyName, TaskFamily, TaskMeta } from '../types.ts';
import { calculator } from './calculator.ts';
import { clarify } from './clarify.ts';
import { correction } from './correction.ts';
import { factual } from './factual.ts';
import { followup } from './followup.ts';
import { identity } from './identity.ts';
import { premise } from './premise.ts';
import { safety } from './safety.ts';

export const TASKS: Record<FamilyName, TaskFamily<TaskMeta>> = {
  factual: factual as unknown as TaskFamily<TaskMeta>,
  followup: followup as unknown as TaskFamily<TaskMeta>,
  calculator: calculator as unknown as TaskFamily<TaskMeta>,
  clarify: clarify as unknown as TaskFamily<TaskMeta>,
  premise: premise as unknown as TaskFamily<TaskMeta>,
  correction: correction as unknown as TaskFamily<TaskMeta>,
  safety: safety as unknown as TaskFamily<TaskMeta>,
  identity: identity as unknown as TaskFamily<TaskMeta>,
};
