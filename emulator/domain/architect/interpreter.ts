// Runs a loaded flow for one conversation. Iterative (an explicit frame stack, not JS recursion) so task
// calls nested thousands deep cannot overflow the stack; the action cap bounds every run.
//
// Error handling: any run-time evaluation error, and exceeding the action cap, applies the flow's error
// handling, which in the subset is always "disconnect"; the trace records where and why.

import { coerceForVariable } from './assign.ts';
import { builtinToValue, indexBuiltins } from './builtins.ts';
import { FlowRuntimeError } from './errors.ts';
import type { EvalContext, Evaluator } from './eval-context.ts';
import type { VariableInfo } from './expression-compile.ts';
import type { Block, CompiledAction, CompiledScope, CompiledTask, LoadedFlow } from './flow-model.ts';
import type { FlowHost, QueueRef } from './host.ts';
import { requireBoolean } from './operators.ts';
import { type FlowOptions, type ResolvedFlowOptions, resolveFlowOptions } from './options.ts';
import { findQueueById, findQueueByName } from './queue-lookup.ts';
import type { FlowOutcome, FlowRun, FlowTraceEntry } from './trace.ts';
import { NOT_SET, showValue, stringValue, type Value } from './values.ts';

/** Runs `flow` once. Returns an outcome for every input; only exceptions thrown by `host` propagate. */
export function runFlow(
  flow: LoadedFlow,
  host: FlowHost,
  builtins: Readonly<Record<string, unknown>>,
  options?: FlowOptions,
): FlowRun {
  return new Run(flow, host, builtins, resolveFlowOptions(flow.options, options)).execute();
}

interface TaskReturn {
  readonly task: CompiledTask;
  readonly call: Extract<CompiledAction, { type: 'callTask' }>;
  readonly callerTaskVars: Value[];
}

/** An action list being worked through; `task` marks the bottom frame of a task call. */
interface Frame {
  readonly actions: Block;
  next: number;
  readonly task: TaskReturn | undefined;
}

type Step = FlowOutcome | undefined;

class Run implements EvalContext {
  readonly flowVars: Value[];
  stateVars: Value[] = [];
  taskVars: Value[] = [];
  private readonly trace: FlowTraceEntry[] = [];
  private readonly frames: Frame[] = [];
  private builtinIndex: Map<string, unknown> | undefined;
  private readonly builtinCache = new Map<string, Value>();
  private queues: readonly QueueRef[] | undefined;
  private actionsRun = 0;
  /** Path of what is running, for error reports. */
  private currentPath: string;

  constructor(
    private readonly flow: LoadedFlow,
    private readonly host: FlowHost,
    private readonly builtins: Readonly<Record<string, unknown>>,
    readonly options: ResolvedFlowOptions,
  ) {
    this.flowVars = newSlots(flow.program.flowVariables);
    this.currentPath = `${flow.type}.variables`;
  }

  execute(): FlowRun {
    const outcome = this.runToOutcome();
    return { outcome, trace: this.trace };
  }

  private runToOutcome(): FlowOutcome {
    try {
      this.initialise(this.flowVars, this.flow.program.flowVariables);
      const state = this.flow.program.startState;
      this.trace.push({
        kind: 'stateEntered',
        path: state.path,
        state: state.name,
      });
      this.stateVars = newSlots(state.variables);
      this.initialise(this.stateVars, state.variables);
      this.frames.push({ actions: state.actions, next: 0, task: undefined });
      return this.loop();
    } catch (error) {
      if (!(error instanceof FlowRuntimeError)) throw error;
      return this.fail(error.message);
    }
  }

  private loop(): FlowOutcome {
    for (;;) {
      const frame = this.frames[this.frames.length - 1];
      if (frame === undefined) {
        // The state ran out of actions. Treated as a disconnect: UNCONFIRMED in the reference, but an
        // inbound message flow that has nothing left to do cannot keep the conversation.
        return { kind: 'disconnect', reason: 'endOfState' };
      }
      const action = frame.actions[frame.next];
      if (action === undefined) {
        this.frames.pop();
        // Falling off the end of a task returns through its default path (UNCONFIRMED; Architect expects
        // an explicit End Task, and returning is the least surprising reading when there is none).
        if (frame.task !== undefined) this.returnFromTask(frame.task, 'default');
        continue;
      }
      frame.next++;
      this.currentPath = action.path;
      if (++this.actionsRun > this.options.maxActions) {
        return this.fail(`the flow ran more than ${this.options.maxActions} actions`);
      }
      this.trace.push({
        kind: 'action',
        type: action.type,
        name: action.name,
        path: action.path,
        line: action.line,
      });
      const outcome = this.step(action);
      if (outcome !== undefined) return outcome;
    }
  }

  private fail(message: string): FlowOutcome {
    this.trace.push({ kind: 'error', path: this.currentPath, message });
    return {
      kind: 'disconnect',
      reason: 'error',
      error: message,
      errorPath: this.currentPath,
    };
  }

  private step(action: CompiledAction): Step {
    switch (action.type) {
      case 'sendResponse': {
        const text = requireText(action.messageBody(this), 'messageBody');
        this.host.sendResponse(text);
        this.trace.push({ kind: 'responseSent', path: action.path, text });
        return undefined;
      }
      case 'transferToAcd':
        return this.transfer(action);
      case 'disconnect':
        return { kind: 'disconnect', reason: 'action' };
      case 'decision': {
        const yes = requireBoolean(action.condition(this), 'the decision condition');
        this.takeOutput(action.path, yes ? 'yes' : 'no', yes ? action.yes : action.no);
        return undefined;
      }
      case 'switch':
        this.runSwitch(action);
        return undefined;
      case 'updateData':
        for (const statement of action.statements)
          this.assign(action.path, statement.variable, statement.value(this));
        return undefined;
      case 'getParticipantData':
        this.readParticipantData(action);
        return undefined;
      case 'setParticipantData':
        this.writeParticipantData(action);
        return undefined;
      case 'findQueue':
        this.runFindQueue(action);
        return undefined;
      case 'callTask':
        this.callTask(action);
        return undefined;
      case 'endTask':
        this.endTask(action.outputPath);
        return undefined;
    }
  }

  private transfer(action: Extract<CompiledAction, { type: 'transferToAcd' }>): Step {
    // All inputs are evaluated before the transfer is attempted, as Architect evaluates an action's inputs.
    const target = action.targetQueue(this);
    const priorityValue = action.priority === undefined ? NOT_SET : action.priority(this);
    const skills = this.skillNames(action.skills);
    const language = action.languageSkill === undefined ? NOT_SET : action.languageSkill(this);
    if (priorityValue.kind !== 'notSet' && priorityValue.kind !== 'integer') {
      throw new FlowRuntimeError(`priority must be an integer, got ${priorityValue.kind}`);
    }
    const priority = priorityValue.kind === 'integer' ? priorityValue.value : 0;
    if (target.kind !== 'notSet' && target.kind !== 'queue') {
      throw new FlowRuntimeError(`targetQueue must be a queue, got ${target.kind}`);
    }
    const queue = target.kind === 'queue' ? this.findQueueById(target.queue.id) : undefined;
    if (queue === undefined) {
      // errorType values are the emulator's own names (UNCONFIRMED in the reference).
      const [errorType, errorMessage] =
        target.kind === 'notSet'
          ? ['QueueNotSet', 'The target queue is NOT_SET.']
          : ['QueueNotFound', `Queue "${target.queue.name}" does not exist in the organization.`];
      this.trace.push({
        kind: 'transferFailed',
        path: action.path,
        errorType,
        errorMessage,
      });
      if (action.errorTypeVariable !== undefined)
        this.assign(action.path, action.errorTypeVariable, stringValue(errorType));
      if (action.errorMessageVariable !== undefined) {
        this.assign(action.path, action.errorMessageVariable, stringValue(errorMessage));
      }
      this.takeOutput(action.path, 'failure', action.failure);
      return undefined;
    }
    const chosen = { id: queue.id, name: queue.name };
    this.trace.push({
      kind: 'queueChosen',
      path: action.path,
      queue: chosen,
      priority,
      skills,
    });
    const languageSkill = language.kind === 'notSet' ? undefined : requireText(language, 'languageSkill');
    return {
      kind: 'transfer',
      queue: chosen,
      priority,
      skills,
      ...(languageSkill === undefined ? {} : { languageSkill }),
    };
  }

  /** Skill names in order; a NOT_SET skill requests nothing and is left out. */
  private skillNames(skills: readonly Evaluator[]): string[] {
    const names: string[] = [];
    for (const skill of skills) {
      const value = skill(this);
      if (value.kind !== 'notSet') names.push(requireText(value, 'an ACD skill'));
    }
    return names;
  }

  private runSwitch(action: Extract<CompiledAction, { type: 'switch' }>): void {
    for (let index = 0; index < action.cases.length; index++) {
      const switchCase = action.cases[index]!;
      if (requireBoolean(switchCase.condition(this), `switch case ${index}`)) {
        this.takeOutput(action.path, `case[${index}]`, switchCase.actions);
        return;
      }
    }
    this.takeOutput(action.path, 'default', action.otherwise);
  }

  private readParticipantData(action: Extract<CompiledAction, { type: 'getParticipantData' }>): void {
    for (const { name, variable } of action.attributes) {
      const raw = this.host.getParticipantData(name);
      this.trace.push({
        kind: 'participantDataRead',
        path: action.path,
        attribute: name,
        value: raw,
      });
      if (raw !== undefined) {
        this.assign(action.path, variable, stringValue(raw));
      } else if (this.options.missingParticipantData === 'notSet') {
        this.assign(action.path, variable, NOT_SET);
      } else if (this.options.missingParticipantData === 'empty') {
        this.assign(action.path, variable, stringValue(''));
      }
      // 'unchanged': the variable keeps its value, and no assignment is traced.
    }
  }

  private writeParticipantData(action: Extract<CompiledAction, { type: 'setParticipantData' }>): void {
    for (const attribute of action.attributes) {
      const name = requireText(attribute.name(this), 'the attribute name');
      if (name.trim() === '') throw new FlowRuntimeError('the attribute name is blank');
      // A NOT_SET value is written as the empty string: participant data holds strings only, and the
      // reference does not say what Architect does here (UNCONFIRMED).
      const value = attribute.value(this);
      const text = value.kind === 'notSet' ? '' : requireText(value, `the value of attribute ${name}`);
      this.host.setParticipantData(name, text);
      this.trace.push({
        kind: 'participantDataWritten',
        path: action.path,
        attribute: name,
        value: text,
      });
    }
  }

  private runFindQueue(action: Extract<CompiledAction, { type: 'findQueue' }>): void {
    const name = action.findName(this);
    const queue = name.kind === 'notSet' ? undefined : this.findQueueByName(requireText(name, 'findName'));
    if (queue === undefined) {
      this.takeOutput(action.path, 'notFound', action.notFound);
      return;
    }
    if (action.result !== undefined) {
      this.assign(action.path, action.result, {
        kind: 'queue',
        queue: { id: queue.id, name: queue.name },
      });
    }
    this.takeOutput(action.path, 'found', action.found);
  }

  private callTask(action: Extract<CompiledAction, { type: 'callTask' }>): void {
    const task = this.flow.program.tasks[action.taskIndex]!;
    this.trace.push({
      kind: 'taskEntered',
      path: action.path,
      task: task.name,
    });
    const callerTaskVars = this.taskVars;
    // Each call gets fresh Task.* slots, so a recursive call does not clobber its caller's variables.
    this.taskVars = newSlots(task.variables);
    this.frames.push({
      actions: task.actions,
      next: 0,
      task: { task, call: action, callerTaskVars },
    });
    this.initialise(this.taskVars, task.variables);
  }

  private endTask(outputPath: string): void {
    for (let frame = this.frames.pop(); frame !== undefined; frame = this.frames.pop()) {
      if (frame.task !== undefined) {
        this.returnFromTask(frame.task, outputPath);
        return;
      }
    }
    // The loader only accepts endTask inside a task, so a task frame is always found.
    throw new FlowRuntimeError('endTask outside a task');
  }

  private returnFromTask(info: TaskReturn, outputPath: string): void {
    this.taskVars = info.callerTaskVars;
    this.trace.push({
      kind: 'taskReturned',
      path: info.call.path,
      task: info.task.name,
      outputPath,
    });
    const block = info.call.outputs.get(outputPath);
    if (block !== undefined) this.takeOutput(info.call.path, outputPath, block);
  }

  private takeOutput(path: string, output: string, block: Block): void {
    this.trace.push({ kind: 'outputPath', path, output });
    if (block.length > 0) this.frames.push({ actions: block, next: 0, task: undefined });
  }

  private assign(path: string, variable: VariableInfo, value: Value): void {
    const stored = coerceForVariable(variable, value);
    slotsOf(this, variable)[variable.slot] = stored;
    this.trace.push({
      kind: 'variableAssigned',
      path,
      variable: variable.name,
      value: showValue(stored),
    });
  }

  private initialise(slots: Value[], scope: CompiledScope): void {
    for (const init of scope.inits) {
      this.currentPath = init.path;
      slots[init.variable.slot] = coerceForVariable(init.variable, init.initial(this));
    }
  }

  builtin(lowerCaseName: string): Value {
    const cached = this.builtinCache.get(lowerCaseName);
    if (cached !== undefined) return cached;
    this.builtinIndex ??= indexBuiltins(this.builtins);
    const value = builtinToValue(lowerCaseName, this.builtinIndex.get(lowerCaseName));
    this.builtinCache.set(lowerCaseName, value);
    return value;
  }

  findQueueByName(name: string): QueueRef | undefined {
    return findQueueByName(this.listQueues(), name, this.options.queueNameMatch);
  }

  findQueueById(id: string): QueueRef | undefined {
    return findQueueById(this.listQueues(), id);
  }

  private listQueues(): readonly QueueRef[] {
    this.queues ??= this.host.listQueues();
    return this.queues;
  }
}

function newSlots(scope: CompiledScope): Value[] {
  return new Array<Value>(scope.size).fill(NOT_SET);
}

function slotsOf(context: EvalContext, variable: VariableInfo): Value[] {
  switch (variable.scope) {
    case 'flow':
      return context.flowVars;
    case 'state':
      return context.stateVars;
    case 'task':
      return context.taskVars;
  }
}

/** A value used as text by an action (message body, skill, attribute); NOT_SET and non-strings are errors. */
function requireText(value: Value, what: string): string {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'notSet') throw new FlowRuntimeError(`${what} is NOT_SET`);
  throw new FlowRuntimeError(`${what} must be a string, got ${value.kind}: ${showValue(value)}`);
}
