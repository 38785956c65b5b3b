/**
 * Schedules: named BullMQ job schedulers (cron, with a time zone) on the fleet's `schedules`
 * queue. Each firing is a job that a `weft worker` (its runner role, ScheduleConsumer) turns into
 * a durable run tagged with the schedule's name. They live in Redis, so they survive restarts.
 */
import { Queue, getNextMillis } from 'bullmq';
import { WeftError, errorMessage } from '../errors.js';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';

/** The queue every schedule's firings go through. */
export const SCHEDULE_QUEUE = 'schedules';
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** What a firing carries: the run to start (data only; validated again when it runs). */
export interface ScheduledRun {
  readonly schedule: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  /** The runs' priority (RunOptions.priority). */
  readonly priority?: number;
}

export interface ScheduleSpec {
  readonly name: string;
  /** Cron: 5 fields, or 6 with seconds first. */
  readonly cron: string;
  /** IANA time zone the cron is read in. Default UTC. */
  readonly tz?: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  readonly priority?: number;
}

export interface ScheduleView {
  readonly name: string;
  readonly cron: string;
  readonly tz?: string;
  readonly pipeline: string;
  /** The next firing, ISO. */
  readonly next?: string;
  readonly fired: number;
}

const invalid = (message: string, details: Record<string, unknown>): WeftError =>
  new WeftError('WEFT_SCHEDULE_INVALID', message, { retryable: false, details });

/** Checks a schedule's name, cron and time zone; a typed error names what is wrong and the fix. */
export function checkSchedule(spec: Pick<ScheduleSpec, 'name' | 'cron' | 'tz'>): void {
  if (!NAME.test(spec.name)) {
    throw invalid(`Schedule name "${spec.name}" must be 1-100 letters, digits, ".", "_" or "-".`, { name: spec.name });
  }
  if (spec.tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: spec.tz });
    } catch {
      throw invalid(`--tz "${spec.tz}" is not a time zone. Use an IANA name such as Europe/Paris or UTC.`, { tz: spec.tz });
    }
  }
  const fields = spec.cron.trim().split(/\s+/).length;
  let next: number | undefined;
  try {
    next = fields === 5 || fields === 6 ? getNextMillis(Date.now(), { pattern: spec.cron, ...(spec.tz ? { tz: spec.tz } : {}) }) : undefined;
  } catch (err) {
    throw invalid(`--cron "${spec.cron}" does not parse: ${errorMessage(err)}. Write 5 fields (minute hour day month weekday), or 6 with seconds first.`, {
      cron: spec.cron,
    });
  }
  if (next === undefined) {
    throw invalid(`--cron "${spec.cron}" never fires. Write 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. "*/5 * * * *".`, {
      cron: spec.cron,
    });
  }
}

/** The fleet's schedules, through one BullMQ Queue; close() when done. */
export class Schedules {
  private readonly queue: Queue<ScheduledRun>;

  constructor(connection: RedisClient, keys: FleetKeys) {
    this.queue = new Queue<ScheduledRun>(SCHEDULE_QUEUE, { connection, prefix: keys.prefix });
  }

  /** Adds the schedule, or replaces the one of that name. */
  async add(spec: ScheduleSpec): Promise<ScheduleView> {
    checkSchedule(spec);
    await this.queue.upsertJobScheduler(
      spec.name,
      { pattern: spec.cron, ...(spec.tz ? { tz: spec.tz } : {}) },
      {
        name: 'fire',
        data: { schedule: spec.name, pipeline: spec.pipeline, input: spec.input, ...(spec.priority === undefined ? {} : { priority: spec.priority }) },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
    return (await this.get(spec.name))!;
  }

  async get(name: string): Promise<ScheduleView | undefined> {
    const s = await this.queue.getJobScheduler(name);
    return s && view(s.key, s);
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.queue.getJobSchedulers(0, -1, true)).map((s) => view(s.key, s));
  }

  /** Removes it and its next firing; a typed error when there is no such schedule. */
  async remove(name: string): Promise<void> {
    if (!(await this.queue.removeJobScheduler(name))) {
      throw new WeftError('WEFT_SCHEDULE_NOT_FOUND', `No schedule "${name}". List them with \`weft schedule list\`.`, { retryable: false, details: { name } });
    }
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

function view(
  key: string,
  s: { pattern?: string; tz?: string; next?: number; iterationCount?: number; template?: { data?: ScheduledRun }; name?: string; id?: string | null },
): ScheduleView {
  return {
    name: s.id ?? key,
    cron: s.pattern ?? '',
    ...(s.tz ? { tz: s.tz } : {}),
    pipeline: s.template?.data?.pipeline.name ?? '',
    ...(s.next ? { next: new Date(s.next).toISOString() } : {}),
    fired: s.iterationCount ?? 0,
  };
}
