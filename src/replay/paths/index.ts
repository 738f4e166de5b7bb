/**
 * Loads every op-handling path module so each registers its ops (ops.ts). Import this once
 * before replaying; add new op modules here.
 */
import './do_mmap.js';
import './madvise_dontneed.js';
import './do_exit.js';
import './dup_mmap.js';
import './gup.js';
import './dma.js';
import './mprotect.js';
import './move_pages.js';
import './compact.js';
import './madvise_pageout.js';
import './shrink_folio_list.js';
import '../mm/swap.js';
import '../mm/pagecache.js';
