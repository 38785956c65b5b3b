/** A typed builder for pipelines in code; produces the same PipelineDefinition a file does. */
import type { PipelineDefinition, Ref, StepDefinition } from './pipeline-types.js';

/** `ref('steps.fetch.output.items')`: a reference for step inputs. */
export function ref(path: string): Ref {
  return { $ref: path };
}

/** Reference to a step's output (or a path inside it). */
export function stepOutput(stepId: string, path?: string): Ref {
  return { $ref: `steps.${stepId}.output${path ? `.${path}` : ''}` };
}

export type StepOptions = Omit<StepDefinition, 'id' | 'task'>;

export class PipelineBuilder {
  private readonly steps: StepDefinition[] = [];
  private options: Omit<PipelineDefinition, 'name' | 'steps'> = {};

  constructor(private readonly name: string) {}

  step(id: string, task: string, options: StepOptions = {}): this {
    this.steps.push({ id, task, ...options });
    return this;
  }

  configure(options: Omit<PipelineDefinition, 'name' | 'steps'>): this {
    this.options = { ...this.options, ...options };
    return this;
  }

  /** The definition; validation happens when it is run (or with validatePipeline). */
  build(): PipelineDefinition {
    return { name: this.name, ...this.options, steps: [...this.steps] };
  }
}

export function pipeline(name: string): PipelineBuilder {
  return new PipelineBuilder(name);
}
