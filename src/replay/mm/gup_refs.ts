/**
 * The references a process holds through GUP (mm/gup.c): FOLL_PIN pins (pin_user_pages, as
 * io_uring fixed buffers, RDMA and VFIO take them) and FOLL_GET references (get_user_pages, as
 * vmsplice and O_DIRECT take them). In the kernel the driver that called GUP keeps the page
 * array; here each process keeps its own list, so that `dma_read` / `dma_write` rows of that
 * process find the folios its device may touch, and `unpin` / `gup_put` rows release them.
 *
 * A reference outlives the mapping it was taken through: munmap or exit zap the PTEs but the
 * folio stays allocated until the reference is dropped (the refcount the reference holds).
 *
 * Lifetime of one reference: taken (try_grab_folio under the PTL, or lockless by GUP-fast) ->
 * used by any number of DMA transfers -> released (unpin_user_page / put_page), exactly once.
 */
import type { Folio } from './folio.js';
import type { Mm, Vma } from './mm_types.js';

/** One reference on one page. */
export interface GupRef {
  readonly folio: Folio;
  /** Page number the reference was taken at. */
  readonly vpn: number;
  /** FOLL_PIN (+GUP_PIN_COUNTING_BIAS) rather than FOLL_GET (+1). */
  readonly pin: boolean;
  /** FOLL_LONGTERM: the device may use it indefinitely and expects coherence with the CPU. */
  readonly longterm: boolean;
  /** FOLL_WRITE: the caller may write to the page. */
  readonly write: boolean;
  /** The VMA the page was found through (to tell whether that mapping still exists). */
  readonly vma: Vma;
  /** Oracle view and key of the page when the reference was taken (kernel.oracleSlot). */
  readonly view: number;
  readonly key: number;
  /**
   * The version the process expected there when the reference was taken, then the version of
   * the latest dma_write through it: what a non-coherent reader must see at least.
   */
  atRef: number;
}

/** A process's references, by page. */
export class GupRefs {
  private readonly byVpn = new Map<number, GupRef[]>();
  /** References held (pins and gets). */
  size = 0;

  add(ref: GupRef): void {
    let list = this.byVpn.get(ref.vpn);
    if (list === undefined) {
      list = [];
      this.byVpn.set(ref.vpn, list);
    }
    list.push(ref);
    this.size++;
  }

  /** The most recent reference on page `vpn` (what the device uses), if any. */
  latest(vpn: number): GupRef | undefined {
    const list = this.byVpn.get(vpn);
    return list === undefined ? undefined : list[list.length - 1];
  }

  /** Remove and return the most recent pin (`pin`) or get reference on `vpn`, if any. */
  take(vpn: number, pin: boolean): GupRef | undefined {
    const list = this.byVpn.get(vpn);
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.pin !== pin) continue;
      const [ref] = list.splice(i, 1);
      if (list.length === 0) this.byVpn.delete(vpn);
      this.size--;
      return ref;
    }
    return undefined;
  }
}

/** Every process's GupRefs, by mm: the Kernel's table (made for an mm on first use). */
export class GupRefTable {
  private readonly byMm = new Map<Mm, GupRefs>();

  /** The references held by the process owning `mm`. */
  of(mm: Mm): GupRefs {
    let r = this.byMm.get(mm);
    if (r === undefined) {
      r = new GupRefs();
      this.byMm.set(mm, r);
    }
    return r;
  }
}
