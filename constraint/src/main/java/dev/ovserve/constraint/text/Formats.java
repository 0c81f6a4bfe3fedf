package dev.ovserve.constraint.text;

/**
 * Regular expressions for the supported string formats. Each is a subset of what the format
 * allows (e.g. upper-case {@code T}/{@code Z}, UTC offsets below 18 hours, bounded e-mail parts
 * within RFC 5321's 64-character local part, a few well-known top-level
 * domains, since validators check e-mail domains against the real list), so every output is valid.
 */
final class Formats {
    private Formats() {}

    private static final String LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)";

    static final String DATE = "(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
            + "|02-(?:0[1-9]|1[0-9]|2[0-8]))|" + LEAP_YEAR + "-02-29)";
    static final String TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:0[0-9]|1[0-7]):[0-5][0-9])";
    static final String EMAIL = "[a-zA-Z0-9_+-]{1,24}(?:\\.[a-zA-Z0-9_+-]{1,16})?@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?){0,2}\\.(?:com|org|net|edu|gov|io|dev|info)";

    private static final String LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?";
    private static final String TLD = "(?:com|org|net|edu|gov|io|dev|info)";
    static final String HOSTNAME = "(?:" + LABEL + "\\.){0,3}" + LABEL;
    private static final String PATH = "(?:/[a-zA-Z0-9._~-]{1,16}){0,4}";
    static final String URI = "https?://(?:" + LABEL + "\\.){1,3}" + TLD + PATH;
    static final String URI_REFERENCE = "(?:" + URI + "|[a-zA-Z0-9_~-]{1,16}" + PATH + ")";
    static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    static final String IPV4 = "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
}
