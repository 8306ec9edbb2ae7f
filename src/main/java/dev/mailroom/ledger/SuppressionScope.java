package dev.mailroom.ledger;

/**
 * Whom a suppression applies to: every job ({@link Global}), or only the jobs of one tenant (a job's
 * {@code tags.tenant}). A job is checked against both.
 */
public sealed interface SuppressionScope {

    /** Every job. */
    SuppressionScope GLOBAL = new Global();

    /** The scope's part of the item key: {@code global}, or {@code tenant:<name>}. */
    String key();

    static SuppressionScope tenant(String name) {
        return new Tenant(name);
    }

    /** The scope a {@link #key()} names. */
    static SuppressionScope parse(String key) {
        if (key.equals("global")) {
            return GLOBAL;
        }
        if (key.startsWith(Tenant.PREFIX)) {
            return new Tenant(Tenant.unescape(key.substring(Tenant.PREFIX.length())));
        }
        throw new IllegalArgumentException("not a suppression scope: " + key);
    }

    record Global() implements SuppressionScope {
        @Override
        public String key() {
            return "global";
        }

        @Override
        public String toString() {
            return "global";
        }
    }

    /** @param name the tenant, as jobs name it in {@code tags.tenant}; not blank */
    record Tenant(String name) implements SuppressionScope {

        private static final String PREFIX = "tenant:";

        public Tenant {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a tenant needs a name");
            }
        }

        /**
         * {@code #} separates the scope from the address in the item key, and local parts may hold a
         * {@code #} too: escaped in the tenant's name ({@code %23}, {@code %} as {@code %25}), so that
         * tenant {@code a#b} with {@code c@d} and tenant {@code a} with {@code b#c@d} stay two keys.
         */
        @Override
        public String key() {
            return PREFIX + name.replace("%", "%25").replace("#", "%23");
        }

        private static String unescape(String escaped) {
            return escaped.replace("%23", "#").replace("%25", "%");
        }

        @Override
        public String toString() {
            return "tenant " + name;
        }
    }
}
