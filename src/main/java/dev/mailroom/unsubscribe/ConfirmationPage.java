package dev.mailroom.unsubscribe;

/**
 * The endpoint's small HTML pages. Everything put into them that came from a request is escaped
 * ({@link #escape}); the pages load nothing and run no script (the endpoint's Content-Security-Policy
 * says so too).
 */
final class ConfirmationPage {

    private ConfirmationPage() {
    }

    /**
     * What a GET answers: a button that sends the one-click POST to {@code action}. A GET itself never
     * unsubscribes: link scanners and previews fetch every URL in a message (RFC 8058 §1).
     */
    static String confirm(String action) {
        return page("Unsubscribe", "<p>Stop receiving these messages?</p>\n"
                + "<form method=\"post\" action=\"" + escape(action) + "\" enctype=\"application/x-www-form-urlencoded\">\n"
                + "<input type=\"hidden\" name=\"" + OneClickBody.FIELD + "\" value=\"" + OneClickBody.VALUE + "\">\n"
                + "<button type=\"submit\">Unsubscribe</button>\n</form>");
    }

    static String done() {
        return page("Unsubscribed", "<p>You are unsubscribed. You will not receive these messages any more.</p>");
    }

    static String problem(String title, String explanation) {
        return page(title, "<p>" + escape(explanation) + "</p>");
    }

    private static String page(String title, String content) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width\"><title>" + escape(title) + "</title></head>\n"
                + "<body><h1>" + escape(title) + "</h1>\n" + content + "\n</body></html>\n";
    }

    /** For element content and double-quoted attribute values (HTML Living Standard §13.1.2). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
