/**
 * Block devices behind swap (`--swap zram|nvme|hdd`) and files (`--disk nvme|hdd`).
 *
 * - zram is SWP_SYNCHRONOUS_IO (QUEUE_FLAG_SYNCHRONOUS, drivers/block/zram): a read or write is
 *   CPU work done inline by the task that asks for it (lz4 decompress/compress), so it returns a
 *   cost for the caller to yield; nothing is queued and no interrupt follows.
 * - nvme and hdd are asynchronous: submit_bio() queues a request and returns; the device serves
 *   at most `depth` requests at once (nvme 64; hdd 1, i.e. requests serialise behind the head's
 *   seek) in FIFO order; each takes an access time drawn from a lognormal (median and p99 from
 *   the cost model) plus a transfer time per further page. Completion is an event at the end of
 *   service plus a completion interrupt (`irq_completion`) charged to the CPU that submitted it;
 *   the caller's `done` runs at that cycle (bio end_io: folio_end_read / folio_end_writeback).
 *
 * Contiguous pages submitted together (a readahead window under blk_start_plug) are one request.
 */
import type { KernelEnv } from './kernel_env.js';
import type { Task } from '../engine/task.js';
import type { Rng } from '../../util/rng.js';

/** Kinds of device the machine can have. */
export type DeviceKind = 'zram' | 'nvme' | 'hdd';

/** Requests one asynchronous device serves at once (nvme: a deep queue; hdd: one head). */
export const QUEUE_DEPTH: Readonly<Record<DeviceKind, number>> = { zram: 1, nvme: 64, hdd: 1 };

interface Request {
  write: boolean;
  pages: number;
  cpu: number;
  done: () => void;
}

/** One block device with its queue. */
export class BlockDevice {
  readonly synchronous: boolean;
  private readonly depth: number;
  private inFlight = 0;
  private readonly queue: Request[] = [];
  private queueHead = 0;
  /** Requests and pages served, for counters. */
  reads = 0;
  readPages = 0;
  writes = 0;
  writePages = 0;

  constructor(
    private readonly k: KernelEnv,
    readonly kind: DeviceKind,
    /** Counter prefix: `swap` or `disk`. */
    readonly role: 'swap' | 'disk',
    private readonly rng: Rng,
  ) {
    this.synchronous = kind === 'zram';
    this.depth = QUEUE_DEPTH[kind];
  }

  /**
   * A synchronous (zram) transfer of `pages` pages done inline by the caller: returns the cycles
   * to yield (decompression for reads, compression for writes, one lognormal draw per page).
   */
  inlineCost(write: boolean, pages: number): number {
    const c = this.k.costs;
    this.account(write, pages);
    // Compression and decompression vary alike: the read figures' median-to-p99 spread.
    const spread = Math.max(1, c.zram_read_p99 / Math.max(1, c.zram_read));
    const median = write ? c.zram_write : c.zram_read;
    let cycles = 0;
    for (let p = 0; p < pages; p++) cycles += Math.round(median * this.rng.lognormalFromMedianP99(1, spread));
    return cycles;
  }

  /**
   * submit_bio() of an asynchronous request of `pages` contiguous pages by `task`; `done` runs at
   * completion. Returns the submitter's CPU cost (io_submit). Never call on a synchronous device.
   */
  submit(task: Task, write: boolean, pages: number, done: () => void): number {
    this.account(write, pages);
    this.queue.push({ write, pages, cpu: task.runningCpu.id, done });
    this.dispatch();
    return this.k.costs.io_submit;
  }

  /** Requests queued or being served. */
  get busy(): number {
    return this.inFlight + this.queue.length - this.queueHead;
  }

  private account(write: boolean, pages: number): void {
    const st = this.k.stats;
    st.count(`${this.role}_${write ? 'writes' : 'reads'}`);
    st.count(`${this.role}_${write ? 'write' : 'read'}_pages`, pages);
    if (write) {
      this.writes++;
      this.writePages += pages;
    } else {
      this.reads++;
      this.readPages += pages;
    }
  }

  /** Start queued requests while the device has room (blk-mq dispatch). */
  private dispatch(): void {
    const e = this.k.engine;
    while (this.inFlight < this.depth && this.queueHead < this.queue.length) {
      const r = this.queue[this.queueHead++]!;
      if (this.queueHead > 256 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.inFlight++;
      const end = e.now + this.serviceTime(r);
      e.call(end, () => this.complete(r));
    }
  }

  /** Access time (lognormal) plus transfer of the further pages. */
  private serviceTime(r: Request): number {
    const c = this.k.costs;
    const hdd = this.kind === 'hdd';
    const median = hdd ? (r.write ? c.hdd_write : c.hdd_read) : r.write ? c.nvme_write : c.nvme_read;
    const p99ratio = hdd ? c.hdd_read_p99 / Math.max(1, c.hdd_read) : c.nvme_read_p99 / Math.max(1, c.nvme_read);
    const access = median * this.rng.lognormalFromMedianP99(1, Math.max(1, p99ratio));
    const transfer = (r.pages - 1) * (hdd ? c.hdd_page_transfer : c.nvme_page_transfer);
    return Math.max(1, Math.round(access + transfer));
  }

  /** End of service: the completion interrupt lands on the submitting CPU; end_io runs. */
  private complete(r: Request): void {
    this.inFlight--;
    this.k.engine.cpus[r.cpu]!.interrupt(this.k.costs.irq_completion);
    r.done();
    this.dispatch();
  }
}
