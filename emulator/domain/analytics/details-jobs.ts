import type { DomainContext } from '../context.ts';
import { errors } from '../errors.ts';
import { buildConversationDetails } from './build-details.ts';
import type { ConversationDetail } from './details-model.ts';
import { type DetailQuery, selectConversations } from './details-query.ts';

/**
 * Conversation details jobs (platform-extra.md §2.1, [DC-JOB]): submitted, then QUEUED, PENDING and
 * FULFILLED as emulator time passes (no timers: the state is read from the clock). The results are the
 * conversations as they stood when the job completed, with Participant Data (`participants[].attributes`),
 * which the synchronous query does not carry. UNCONFIRMED timings: real jobs take seconds to minutes;
 * here a job is QUEUED for its first 500 ms and done after 2 s, and its results are kept 2 days.
 */
export const JOB_QUEUED_MS = 500;
export const JOB_PROCESSING_MS = 2000;
export const JOB_RETENTION_MS = 2 * 24 * 3600 * 1000;
/** Jobs kept at once; the oldest is forgotten past this. */
const MAX_JOBS = 1000;
const TABLE = 'analytics.detailsJobs';

export type JobState = 'QUEUED' | 'PENDING' | 'FULFILLED' | 'CANCELLED' | 'EXPIRED';

export interface DetailsJob {
  id: string;
  submittedAt: number;
  query: DetailQuery;
  limit?: number;
  cancelledAt?: number;
  /** Taken once, the first time the results are read after completion. */
  results?: ConversationDetail[];
}

export interface JobStatus {
  state: JobState;
  submissionDate: number;
  completionDate?: number;
  expirationDate: number;
}

export class DetailsJobs {
  readonly #ctx: DomainContext;

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  submit(query: DetailQuery, limit?: number): DetailsJob {
    const table = this.#table();
    if (table.size >= MAX_JOBS) {
      const oldest = table.values().next().value;
      if (oldest) table.delete(oldest.id);
    }
    const job: DetailsJob = {
      id: this.#ctx.ids.uuid(),
      submittedAt: this.#ctx.clock.now(),
      query,
      ...(limit === undefined ? {} : { limit }),
    };
    table.set(job.id, job);
    return job;
  }

  get(jobId: string): DetailsJob {
    const job = this.#table().get(jobId);
    if (!job) throw errors.notFound(`conversation details job ${jobId}`, { entityId: jobId });
    return job;
  }

  status(job: DetailsJob): JobStatus {
    const now = this.#ctx.clock.now();
    const done = job.submittedAt + JOB_PROCESSING_MS;
    const expirationDate = done + JOB_RETENTION_MS;
    const base = { submissionDate: job.submittedAt, expirationDate };
    if (job.cancelledAt !== undefined)
      return { ...base, state: 'CANCELLED', completionDate: job.cancelledAt };
    if (now >= expirationDate) return { ...base, state: 'EXPIRED', completionDate: done };
    if (now >= done) return { ...base, state: 'FULFILLED', completionDate: done };
    return { ...base, state: now - job.submittedAt < JOB_QUEUED_MS ? 'QUEUED' : 'PENDING' };
  }

  /** DELETE .../jobs/{id}: a job not yet done is cancelled; a finished one is forgotten. */
  cancel(jobId: string): void {
    const job = this.get(jobId);
    if (this.status(job).state === 'FULFILLED') this.#table().delete(jobId);
    else job.cancelledAt ??= this.#ctx.clock.now();
  }

  /** The results of a fulfilled job; any other state is refused with the state named. */
  results(jobId: string): { conversations: ConversationDetail[]; completedAt: number } {
    const job = this.get(jobId);
    const status = this.status(job);
    if (status.state !== 'FULFILLED') {
      throw errors.badRequest(
        `Conversation details job ${jobId} is ${status.state}; results exist once it is FULFILLED.`,
        {
          entityId: jobId,
          messageParams: { state: status.state },
        },
      );
    }
    const completedAt = status.completionDate!;
    if (!job.results) {
      const selected = selectConversations(
        buildConversationDetails(this.#ctx, { until: completedAt }),
        job.query,
      );
      job.results = job.limit === undefined ? selected : selected.slice(0, job.limit);
    }
    return { conversations: job.results, completedAt };
  }

  #table() {
    return this.#ctx.store.table<DetailsJob>(TABLE);
  }
}
