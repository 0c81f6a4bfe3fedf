package dev.ovserve.constraint;

import dev.ovserve.scheduler.sampling.ConstraintState;
import dev.ovserve.scheduler.sampling.TokenConstraint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Mask time per token (p50/p99/max) for a simple and a complex JSON schema, at GPT-2's 50k
 * vocabulary and at a synthesized ~150k one. Not a test: run it on a quiet machine (see
 * docs/PERFORMANCE.md). Each run decodes outputs with a random model; the first output per
 * schema is reported apart ("cold": token classes of newly visited states are computed then),
 * the rest are "warm" (the compiled constraint is cached, as for repeated requests).
 *
 * <p>Arguments: {@code [outputs per schema, default 20] [seed, default 1]}.
 */
public final class MaskBenchmark {
    static final String SIMPLE = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},"
            + "\"email\":{\"type\":\"string\",\"format\":\"email\"}},\"required\":[\"name\",\"age\"]}";
    static final String COMPLEX = "{\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{\"street\":{\"type\":\"string\",\"maxLength\":40},"
            + "\"city\":{\"type\":\"string\"},\"zip\":{\"type\":\"string\",\"pattern\":\"^[0-9]{5}(-[0-9]{4})?$\"}},\"required\":[\"street\",\"city\"]},"
            + "\"item\":{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{3}-\\\\d{4}$\"},\"qty\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":999},"
            + "\"price\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"new\",\"sale\",\"gift\"]},\"maxItems\":3}},"
            + "\"required\":[\"sku\",\"qty\",\"price\"]},"
            + "\"node\":{\"type\":\"object\",\"properties\":{\"label\":{\"type\":\"string\"},\"children\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"},\"maxItems\":3}},\"required\":[\"label\"]}},"
            + "\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"format\":\"uuid\"},\"created\":{\"type\":\"string\",\"format\":\"date-time\"},"
            + "\"customer\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"email\":{\"type\":\"string\",\"format\":\"email\"},"
            + "\"address\":{\"$ref\":\"#/$defs/address\"}},\"required\":[\"name\"]},\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/item\"},\"minItems\":1},"
            + "\"status\":{\"anyOf\":[{\"const\":\"open\"},{\"const\":\"closed\"},{\"type\":\"null\"}]},\"notes\":{\"$ref\":\"#/$defs/node\"},"
            + "\"extra\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}},\"required\":[\"id\",\"created\",\"customer\",\"items\",\"status\"]}";

    public static void main(String[] args) {
        int outputs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        Vocabulary gpt2 = Vocabs.gpt2();
        Vocabulary big = synthesized(gpt2, 150_000, seed);
        System.out.printf("%-8s %-8s %7s %6s %9s %9s %9s %9s %9s%n", "schema", "vocab", "tokens", "phase", "p50 us", "p99 us", "max us", "mean us", "compile ms");
        for (Vocabulary v : List.of(gpt2, big)) {
            for (String[] s : new String[][] {{"simple", SIMPLE}, {"complex", COMPLEX}}) {
                run(s[0], s[1], v, outputs, seed);
            }
        }
    }

    private static void run(String name, String schema, Vocabulary vocab, int outputs, long seed) {
        ConstraintCompiler compiler = new ConstraintCompiler(vocab);
        long t0 = System.nanoTime();
        TokenConstraint c = compiler.jsonSchema(schema);
        double compileMs = (System.nanoTime() - t0) / 1e6;
        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        long[] mask = Tokenize.newMask(vocab);
        SplittableRandom r = new SplittableRandom(seed);
        for (int o = 0; o < outputs; o++) {
            List<Long> into = o == 0 ? cold : warm;
            ConstraintState s = c.start();
            for (int step = 0; step < 400 && !s.isComplete(); step++) {
                long a = System.nanoTime();
                s.fillAllowed(mask);
                into.add(System.nanoTime() - a);
                int pick = pick(mask, r, vocab, step >= 120);
                if (vocab.eosTokenIds().contains(pick)) {
                    break;
                }
                s.advance(pick);
            }
        }
        print(name, vocab, "cold", cold, compileMs);
        print(name, vocab, "warm", warm, compileMs);
    }

    /** Uniform over allowed tokens (i.i.d. random logits); late in an output, EOS or the shortest tokens first so outputs end. */
    private static int pick(long[] mask, SplittableRandom r, Vocabulary vocab, boolean wrapUp) {
        List<Integer> allowed = new ArrayList<>();
        for (int w = 0; w < mask.length; w++) {
            long bits = mask[w];
            while (bits != 0) {
                allowed.add((w << 6) + Long.numberOfTrailingZeros(bits));
                bits &= bits - 1;
            }
        }
        if (wrapUp) {
            for (int id : allowed) {
                if (vocab.eosTokenIds().contains(id)) {
                    return id;
                }
            }
            allowed.removeIf(id -> vocab.tokenBytes()[id].length > 1 || !isStructural(vocab.tokenBytes()[id][0]));
            if (allowed.isEmpty()) {
                return pick(mask, r, vocab, false);
            }
        }
        return allowed.get(r.nextInt(allowed.size()));
    }

    private static boolean isStructural(byte b) {
        return "\"}],0123456789".indexOf(b) >= 0;
    }

    private static void print(String name, Vocabulary vocab, String phase, List<Long> nanos, double compileMs) {
        long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (a.length == 0) {
            return;
        }
        System.out.printf("%-8s %-8d %7d %6s %9.1f %9.1f %9.1f %9.1f %9.1f%n", name, vocab.size(), a.length, phase, a[a.length / 2] / 1e3,
                a[(int) Math.min(a.length - 1, Math.ceil(a.length * 0.99) - 1)] / 1e3, a[a.length - 1] / 1e3,
                Arrays.stream(a).average().orElse(0) / 1e3, compileMs);
    }

    /**
     * GPT-2's tokens plus synthetic ones up to {@code size}: concatenations of two or three GPT-2
     * tokens (distinct byte strings), the shape of merges a larger BPE vocabulary adds; EOS stays.
     */
    static Vocabulary synthesized(Vocabulary base, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[][] out = Arrays.copyOf(base.tokenBytes(), size);
        Set<String> seen = new HashSet<>();
        for (byte[] b : base.tokenBytes()) {
            if (b != null) {
                seen.add(new String(b, StandardCharsets.ISO_8859_1));
            }
        }
        int n = base.size();
        while (n < size) {
            byte[] a = base.tokenBytes()[r.nextInt(base.size())];
            byte[] b = base.tokenBytes()[r.nextInt(base.size())];
            if (a == null || b == null || a.length + b.length > 16) {
                continue;
            }
            byte[] c = new byte[a.length + b.length];
            System.arraycopy(a, 0, c, 0, a.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            if (seen.add(new String(c, StandardCharsets.ISO_8859_1))) {
                out[n++] = c;
            }
        }
        return new Vocabulary(out, base.eosTokenIds(), base.specialTokenIds());
    }
}
