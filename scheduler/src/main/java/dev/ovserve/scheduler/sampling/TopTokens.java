package dev.ovserve.scheduler.sampling;

/**
 * Partial selection of the best tokens of a row without sorting the vocabulary. "Better" means a
 * larger value, and on equal values a lower token id, a strict total order that keeps every
 * result deterministic. Token ids index {@code values[offset + id]}; all work happens in the
 * caller's {@code ids} buffer, nothing is allocated.
 */
final class TopTokens {
    /** Ranges this short are sorted outright rather than partitioned further. */
    private static final int SMALL_RANGE = 16;

    private TopTokens() {}

    static boolean better(float[] values, int offset, int a, int b) {
        float x = values[offset + a];
        float y = values[offset + b];
        return x > y || (x == y && a < b);
    }

    /**
     * Puts the {@code k} best of tokens {@code 0..vocab-1} into {@code ids[0..k)}, best first: one
     * pass keeping a bounded heap whose root is the worst kept token, then a heapsort of the k.
     */
    static void selectTop(float[] values, int offset, int vocab, int k, int[] ids) {
        for (int i = 0; i < k; i++) {
            ids[i] = i;
        }
        heapify(values, offset, ids, 0, k);
        for (int t = k; t < vocab; t++) {
            if (better(values, offset, t, ids[0])) {
                ids[0] = t;
                siftDown(values, offset, ids, 0, 0, k);
            }
        }
        sortHeap(values, offset, ids, 0, k);
    }

    /** Sorts {@code ids[from..to)} best first, in place (heapsort: no allocation, O(n log n) worst case). */
    static void sortBestFirst(float[] values, int offset, int[] ids, int from, int to) {
        heapify(values, offset, ids, from, to);
        sortHeap(values, offset, ids, from, to);
    }

    /**
     * Nucleus (top-p) selection over non-negative weights: reorders {@code ids[0..count)} so that
     * {@code ids[0..r)} holds the smallest set of best tokens whose weight reaches {@code need},
     * and returns r. Those r are in no particular (but deterministic) order. Expected O(count):
     * a quickselect that recurses into one side only, deciding by the weight on the better side;
     * after too many rounds it sorts what is left, so adversarial input costs O(n log n).
     */
    static int nucleus(float[] weights, int[] ids, int count, double need) {
        int lo = 0;
        int hi = count;
        int rounds = 2 * (32 - Integer.numberOfLeadingZeros(count)) + 8;
        while (hi - lo > SMALL_RANGE && rounds-- > 0) {
            int p = partition(weights, ids, lo, hi);
            double better = 0;
            for (int i = lo; i < p; i++) {
                better += weights[ids[i]];
            }
            if (better >= need) {
                hi = p; // the boundary lies among the better ones
                continue;
            }
            better += weights[ids[p]];
            if (better >= need) {
                return p + 1;
            }
            need -= better; // everything up to the pivot is in; look further down
            lo = p + 1;
        }
        sortBestFirst(weights, 0, ids, lo, hi);
        for (int i = lo; i < hi; i++) {
            need -= weights[ids[i]];
            if (need <= 0) {
                return i + 1;
            }
        }
        return hi; // all of them weigh less than need (rounding, or trimmed by min-p): keep them all
    }

    /** Median-of-three pivot; afterwards ids[lo..p) are better than ids[p], ids(p..hi) worse. */
    private static int partition(float[] w, int[] ids, int lo, int hi) {
        int mid = (lo + hi) >>> 1;
        int last = hi - 1;
        if (better(w, 0, ids[mid], ids[lo])) {
            swap(ids, mid, lo);
        }
        if (better(w, 0, ids[last], ids[lo])) {
            swap(ids, last, lo);
        }
        if (better(w, 0, ids[last], ids[mid])) {
            swap(ids, last, mid);
        }
        swap(ids, mid, last); // the median is the pivot, parked at the end
        int pivot = ids[last];
        int store = lo;
        for (int i = lo; i < last; i++) {
            if (better(w, 0, ids[i], pivot)) {
                swap(ids, i, store++);
            }
        }
        swap(ids, store, last);
        return store;
    }

    // Heap helpers over ids[from..to): the root ids[from] is the worst element.

    private static void heapify(float[] v, int offset, int[] ids, int from, int to) {
        for (int i = (to - from) / 2 - 1; i >= 0; i--) {
            siftDown(v, offset, ids, from, i, to - from);
        }
    }

    /** Repeatedly moves the worst remaining element to the end, leaving the range best first. */
    private static void sortHeap(float[] v, int offset, int[] ids, int from, int to) {
        for (int size = to - from - 1; size > 0; size--) {
            swap(ids, from, from + size);
            siftDown(v, offset, ids, from, 0, size);
        }
    }

    private static void siftDown(float[] v, int offset, int[] ids, int from, int node, int size) {
        int item = ids[from + node];
        while (true) {
            int child = 2 * node + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && better(v, offset, ids[from + child], ids[from + child + 1])) {
                child++; // the worse child
            }
            if (!better(v, offset, item, ids[from + child])) {
                break; // item is no better than its worse child: it stays above
            }
            ids[from + node] = ids[from + child];
            node = child;
        }
        ids[from + node] = item;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
