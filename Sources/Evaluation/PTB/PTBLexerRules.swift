// Token classes of Stanford CoreNLP 3.4.1's PTBLexer (the jar pycocoevalcap runs), restated in
// JFlex notation. The rule list, its order and its actions were reconstructed from CoreNLP's
// published PTBLexer.flex history and the action table of the compiled 3.4.1 scanner, then
// checked token-for-token against the jar on ~400k generated caption-like and noise lines;
// Tests/Fixtures/metrics/tokenizer_cases.json keeps a few hundred of them as a regression test.

/// What the scanner does with a matched rule. Options are those of `PTBTokenizer -preserveLines`:
/// PTB3 escaping (brackets, LaTeX quotes, ASCII ellipses and dashes), no Americanization and no
/// escaping of `/` and `*`.
enum PTBAction: Sendable {
    /// The matched text is the token.
    case verbatim
    /// A fixed token text (`-LRB-`, `--`, `<`, ...).
    case replace(String)
    /// Soft hyphens (U+00AD) removed; a token of nothing but soft hyphens becomes `-`.
    case removeSoftHyphens
    /// Quotes rewritten to LaTeX style; `left` picks `` ` ``/``` `` ``` for straight quotes.
    case quotes(left: Bool)
    /// Any ellipsis becomes `...`.
    case ellipsis
    /// Runs of 3 or 4 hyphens become `--`.
    case hyphens
    /// `&amp;` becomes `&`.
    case ampersand
    /// Vulgar fraction characters become `1/2`, `1/4`, ...
    case fractionCharacter
    /// Cent, pound and euro-like signs become `cents`, `#`, `$`.
    case currency
    /// Spaces inside the token become U+00A0 (fractions like `3 1/2`, SGML tags).
    case spacesToNoBreak
    /// Phone numbers: spaces to U+00A0 and parentheses to `-LRB-` / `-RRB-`.
    case phone
    /// Emoticons: parentheses to `-LRB-` / `-RRB-`.
    case smiley
    /// `cannot`, `gonna`: the last `n` characters are scanned again as their own token.
    case splitTail(Int)
    /// An acronym before a sentence start: `U.S.` also yields a `.` token; a single letter gives up its period.
    case acronymAtSentenceEnd
    /// An abbreviation that keeps its period and also yields a `.` token.
    case abbreviationWithPeriod
    /// A line break: ends the output line.
    case newline
    /// Whitespace and characters the lexer cannot tokenize: dropped.
    case skip
}

/// One rule: a pattern, an optional trailing context (`r/s` in JFlex), and what to do on a match.
struct PTBRule: Sendable {
    let pattern: String
    let trailing: String?
    let action: PTBAction

    init(_ pattern: String, _ action: PTBAction = .verbatim, then trailing: String? = nil) {
        self.pattern = pattern
        self.trailing = trailing
        self.action = action
    }
}

enum PTBLexerRules {
    static let macros: [String: String] = [
        "SGML": #"\<([!\?][A-Za-z\-][^>\r\n]*|[A-Za-z][A-Za-z0-9_:\.\-]*([ ]+([A-Za-z][A-Za-z0-9_:\.\-]*|[A-Za-z][A-Za-z0-9_:\.\-]*[ ]*=[ ]*('[^'\r\n]*'|\"[^\"\r\n]*\"|[A-Za-z][A-Za-z0-9_:\.\-]*)))*[ ]*\/?|\/[A-Za-z][A-Za-z0-9_:\.\-]*)[ ]*\>"#,
        "SPMDASH": #"&(MD|mdash|ndash);|[\u0096\u0097\u2013\u2014\u2015]"#,
        "SPAMP": #"&amp;"#,
        "SPPUNC": #"&(HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);"#,
        "SPLET": #"&[aeiouAEIOU](acute|grave|uml);"#,
        "SPACE": #"[ \t\u00A0\u2000-\u200A\u3000]"#,
        "SPACES": #"{SPACE}+"#,
        "NEWLINE": #"\r|\r?\n|\u2028|\u2029|\u000B|\u000C|\u0085"#,
        "SPACENL": #"({SPACE}|{NEWLINE})"#,
        "SPACENLS": #"{SPACENL}+"#,
        "SENTEND": #"{SPACENL}({SPACENL}|[:uppercase:]|{SGML})"#,
        "DIGIT": #"[:digit:]|[\u07C0-\u07C9]"#,
        "DATE": #"{DIGIT}{1,2}[\-\/]{DIGIT}{1,2}[\-\/]{DIGIT}{2,4}"#,
        "NUM": #"{DIGIT}+|{DIGIT}*([.:,\u00AD\u066B\u066C]{DIGIT}+)+"#,
        "NUMBER": #"[\-+]?{NUM}"#,
        "SUBSUPNUM": #"[\u207A\u207B\u208A\u208B]?([\u2070\u00B9\u00B2\u00B3\u2074-\u2079]+|[\u2080-\u2089]+)"#,
        "FRAC": #"({DIGIT}{1,4}[- \u00A0])?{DIGIT}{1,4}(\\?\/|\u2044){DIGIT}{1,4}"#,
        "FRAC2": #"[\u00BC\u00BD\u00BE\u2153-\u215E]"#,
        "DOLSIGN": #"([A-Z]*\$|#)"#,
        "DOLSIGN2": #"[\u00A2\u00A3\u00A4\u00A5\u0080\u20A0\u20AC\u060B\u0E3F\u20A4\uFFE0\uFFE1\uFFE5\uFFE6]"#,
        "LETTER": #"([:letter:]|{SPLET}|[\u00AD\u0237-\u024F\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02FF\u0300-\u036F\u0370-\u037D\u0384\u0385\u03CF\u03F6\u03FC-\u03FF\u0483-\u0487\u04CF\u04F6-\u04FF\u0510-\u0525\u055A-\u055F\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7\u0615-\u061A\u063B-\u063F\u064B-\u065E\u0670\u06D6-\u06EF\u06FA-\u06FF\u070F\u0711\u0730-\u074F\u0750-\u077F\u07A6-\u07B1\u07CA-\u07F5\u07FA\u0900-\u0903\u093C\u093E-\u094E\u0951-\u0955\u0962-\u0963\u0981-\u0983\u09BC-\u09C4\u09C7\u09C8\u09CB-\u09CD\u09D7\u09E2\u09E3\u0A01-\u0A03\u0A3C\u0A3E-\u0A4F\u0A81-\u0A83\u0ABC-\u0ACF\u0B82\u0BBE-\u0BC2\u0BC6-\u0BC8\u0BCA-\u0BCD\u0C01-\u0C03\u0C3E-\u0C56\u0D3E-\u0D44\u0D46-\u0D48\u0E30-\u0E3A\u0E47-\u0E4E\u0EB1-\u0EBC\u0EC8-\u0ECD])"#,
        "WORD": #"{LETTER}({LETTER}|{DIGIT})*([.!?]{LETTER}({LETTER}|{DIGIT})*)*"#,
        "THING": #"([dDoOlL]{APOSETCETERA}([:letter:]|[:digit:]))?([:letter:]|[:digit:])+({HYPHEN}([dDoOlL]{APOSETCETERA}([:letter:]|[:digit:]))?([:letter:]|[:digit:])+)*"#,
        "THINGA": #"[A-Z]+(([+&]|{SPAMP})[A-Z]+)+"#,
        "THING3": #"[A-Za-z0-9]+(-[A-Za-z]+){0,2}(\\?\/[A-Za-z0-9]+(-[A-Za-z]+){0,2}){1,2}"#,
        "APOS": #"['\u0092\u2019]|&apos;"#,
        "APOSETCETERA": #"{APOS}|[`\u0091\u2018\u201B]"#,
        "HTHING": #"[A-Za-z0-9][A-Za-z0-9.,\u00AD]*(-([A-Za-z0-9\u00AD]+|{ACRO2}\.))+"#,
        "REDAUX": #"{APOS}([msdMSD]|re|ve|ll)"#,
        "SWORD": #"[A-Za-z\u00AD]*[A-MO-Za-mo-z](\u00AD)*"#,
        "SREDAUX": #"n{APOSETCETERA}t"#,
        "APOWORD": #"{APOS}n{APOS}?|[lLdDjJ]{APOS}|Dunkin{APOS}|somethin{APOS}|ol{APOS}|{APOS}em|[A-HJ-XZn]{APOSETCETERA}[:letter:]{2}[:letter:]*|{APOS}[2-9]0s|{APOS}till?|[:letter:][:letter:]*[aeiouyAEIOUY]{APOSETCETERA}[aeiouA-Z][:letter:]*|{APOS}cause|cont'd\.?|'twas|nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l|O{APOSETCETERA}o"#,
        "APOWORD2": #"y{APOS}"#,
        "FULLURL": #"https?:\/\/[^ \t\n\f\r\"<>|(){}]+[^ \t\n\f\r\"<>|.!?(){},-]"#,
        "LIKELYURL": #"((www\.([^ \t\n\f\r\"<>|.!?(){},]+\.)+[a-zA-Z]{2,4})|(([^ \t\n\f\r\"`'<>|.!?(){},-_$]+\.)+(com|net|org|edu)))(\/[^ \t\n\f\r\"<>|()]+[^ \t\n\f\r\"<>|.!?(){},-])?"#,
        "EMAIL": #"(&lt;|<)?[a-zA-Z0-9][^ \t\n\f\r\"<>|(){}\u00A0]*@([^ \t\n\f\r\"<>|(){}.\u00A0]+\.)*([^ \t\n\f\r\"<>|(){}.\u00A0]+)(&gt;|>)?"#,
        "FILENAME_EXT": #"bat|bmp|bz2|c|class|cgi|cpp|dll|doc|docx|exe|gif|gz|h|htm|html|jar|java|jpeg|jpg|mov|mp3|pdf|php|pl|png|ppt|ps|py|sql|tar|txt|wav|x|xml|zip"#,
        "FILENAME": #"({LETTER}|{DIGIT})+(\.({LETTER}|{DIGIT})+)*\.{FILENAME_EXT}"#,
        "TWITTER_NAME": #"@[a-zA-Z_][a-zA-Z_0-9]*"#,
        "TWITTER_CATEGORY": #"#{LETTER}+"#,
        "TWITTER": #"{TWITTER_NAME}|{TWITTER_CATEGORY}"#,
        "ABMONTH": #"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"#,
        "ABDAYS": #"Mon|Tue|Tues|Wed|Thu|Thurs|Fri"#,
        "ABSTATE": #"Ala|Ariz|[A]z|[A]rk|Calif|Colo|Conn|Ct|Dak|[D]el|Fla|Ga|[I]ll|Ind|Kans?|Ky|[L]a|[M]ass|Md|Mich|Minn|[M]iss|Mo|Mont|Neb|Nev|Okla|[O]re|[P]a|Penn|Tenn|[T]ex|Va|Vt|[W]ash|Wisc?|Wyo"#,
        "ABCOMP": #"Inc|Cos?|Corp|Pp?t[ye]s?|Ltd|Plc|Rt|Bancorp|Bhd|Assn|Univ|Intl|Sys"#,
        "ABNUM": #"tel|est|ext|sq"#,
        "ABPTIT": #"Jr|Sr|Bros|(Ed|Ph)\.D|Blvd|Rd|Esq"#,
        "ABBREV1": #"({ABMONTH}|{ABDAYS}|{ABSTATE}|{ABCOMP}|{ABNUM}|{ABPTIT}|etc|al|seq|Bldg)\."#,
        "ACRO": #"[A-Za-z](\.[A-Za-z])*|(Canada|Sino|Korean|EU|Japan|non)-U\.S|U\.S\.-(U\.K|U\.S\.S\.R)"#,
        "ACRO2": #"[A-Za-z](\.[A-Za-z])+|(Canada|Sino|Korean|EU|Japan|non)-U\.S|U\.S\.-(U\.K|U\.S\.S\.R)"#,
        "ABTITLE": #"Mr|Mrs|Ms|[M]iss|Drs?|Profs?|Sens?|Reps?|Attys?|Lt|Col|Gen|Messrs|Govs?|Adm|Rev|Maj|Sgt|Cpl|Pvt|Capt|Ste?|Ave|Pres|Lieut|Rt|Hon|Brig|Co?mdr|Pfc|Spc|Supts?|Det|Mt|Ft|Adj|Adv|Asst|Assoc|Ens|Insp|Mlle|Mme|Msgr|Sfc"#,
        "ABCOMP2": #"Invt|Elec|Natl|M[ft]g|Dept"#,
        "ABBREV4": #"{ABTITLE}|vs|Alex|Wm|Jos|Cie|a\.k\.a|cf|TREAS|Ph|{ACRO}|{ABCOMP2}"#,
        "ABBREV2": #"{ABBREV4}\."#,
        "ACRONYM": #"({ACRO})\."#,
        "ABBREV3": #"(ca|figs?|prop|nos?|art|bldg|pp|op)\."#,
        "PHONE": #"(\([0-9]{2,3}\)[ \u00A0]?|(\+\+?)?([0-9]{2,4}[\- \u00A0])?[0-9]{2,4}[\- \u00A0])[0-9]{3,4}[\- \u00A0]?[0-9]{3,5}|((\+\+?)?[0-9]{2,4}\.)?[0-9]{2,4}\.[0-9]{3,4}\.[0-9]{3,5}"#,
        "FAKEDUCKFEET": #"<<|>>"#,
        "LESSTHAN": #"<|&lt;"#,
        "GREATERTHAN": #">|&gt;"#,
        "HYPHEN": #"[-_\u058A\u2010\u2011]"#,
        "HYPHENS": #"\-+"#,
        "LDOTS": #"\.{3,5}|(\.[ \u00A0]){2,4}\.|[\u0085\u2026]"#,
        "ATS": #"@+"#,
        "UNDS": #"_+"#,
        "ASTS": #"\*+|(\\\*){1,3}"#,
        "HASHES": #"#+"#,
        "FNMARKS": #"{ATS}|{HASHES}|{UNDS}"#,
        "INSENTP": #"[,;:\u3001]"#,
        "QUOTES": #"{APOS}|''|[`\u2018\u2019\u201A\u201B\u201C\u201D\u0091\u0092\u0093\u0094\u201E\u201F\u2039\u203A\u00AB\u00BB]{1,2}"#,
        "DBLQUOT": #"\"|&quot;"#,
        "TBSPEC": #"-(RRB|LRB|RCB|LCB|RSB|LSB)-|C\.D\.s|pro-|anti-|S(&|&amp;)P-500|S(&|&amp;)Ls|Cap{APOS}n|c{APOS}est"#,
        "TBSPEC2": #"{APOS}[0-9][0-9]"#,
        "SMILEY": #"[<>]?[:;=][\-o\*']?[\(\)DPdpO\\{@\|\[\]]"#,
        "ASIANSMILEY": #"[\^x=~<>]\.\[\^x=~<>]|[\-\^x=~<>']_[\-\^x=~<>']|\([\-\^x=~<>'][_.]?[\-\^x=~<>']\)"#,
        "MISCSYMBOL": #"[+%&~\^|\\\u00A6\u00A7\u00A8\u00A9\u00AC\u00AE\u00AF\u00B0-\u00B3\u00B4-\u00BA\u00D7\u00F7\u0387\u05BE\u05C0\u05C3\u05C6\u05F3\u05F4\u0600-\u0603\u0606-\u060A\u060C\u0614\u061B\u061E\u066A\u066D\u0703-\u070D\u07F6\u07F7\u07F8\u0964\u0965\u0E4F\u1FBD\u2016\u2017\u2020-\u2023\u2030-\u2038\u203B\u203E-\u2042\u2044\u207A-\u207F\u208A-\u208E\u2100-\u214F\u2190-\u21FF\u2200-\u2BFF\u3012\u30FB\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65\uFF65]"#,
        "PROG_LANGS": #"c[+][+]|(c|f)#"#,
        "ASSIMILATIONS3": #"cannot|'twas"#,
        "ASSIMILATIONS2": #"{APOS}tis|gonna|gotta|lemme|gimme|wanna"#,
        "SENTSTART": #"[A]bout|[A]ccording|[A]dditionally|[A]fter|[A]n|[A]|[A]s|[A]t|[B]ut|[E]arlier|[H]e|[H]er|[H]ere|[H]owever|[I]f|[I]n|[I]t|[L]ast|[M]any|[M]ore|[M]r\.|[M]s\.|[N]ow|[O]nce|[O]ne|[O]ther|[O]ur|[S]he|[S]ince|[S]o|[S]ome|[S]uch|[T]hat|[T]he|[T]hen|[T]here|[T]hese|[T]hey|[T]his|[W]e|[W]hen|[W]hile|[W]hat|[Y]et|[Y]ou|{SGML}"#,
    ]

    /// The rules in specification order: JFlex prefers the longest match, then the earliest rule.
    static let rules: [PTBRule] = [
        PTBRule("{PROG_LANGS}"),
        PTBRule("{ASSIMILATIONS3}", .splitTail(3)),
        PTBRule("{ASSIMILATIONS2}", .splitTail(2)),
        PTBRule("{SGML}", .spacesToNoBreak),
        PTBRule("{SPMDASH}", .replace("--")),
        PTBRule("{SPAMP}", .ampersand),
        PTBRule("{SPPUNC}"),
        PTBRule("{WORD}", .removeSoftHyphens, then: "{REDAUX}"),
        PTBRule("{SWORD}", .removeSoftHyphens, then: "{SREDAUX}"),
        PTBRule("{WORD}", .removeSoftHyphens),
        PTBRule("{APOWORD}"),
        PTBRule("{APOWORD2}", then: "[:letter:]"),
        PTBRule("{FULLURL}"),
        PTBRule("{LIKELYURL}"),
        PTBRule("{EMAIL}"),
        PTBRule("{TWITTER}"),
        PTBRule("{REDAUX}", .quotes(left: false), then: "[^A-Za-z]"),
        PTBRule("{SREDAUX}", .quotes(left: false), then: "[^A-Za-z]"),
        PTBRule("{DATE}"),
        PTBRule("{NUMBER}", .removeSoftHyphens),
        PTBRule("{SUBSUPNUM}"),
        PTBRule("{FRAC}", .spacesToNoBreak),
        PTBRule("{FRAC2}", .fractionCharacter),
        PTBRule("{TBSPEC}", .ampersand),
        PTBRule("{THING3}"),
        PTBRule("{DOLSIGN}"),
        PTBRule("{DOLSIGN2}", .currency),
        PTBRule("{ACRONYM}", .acronymAtSentenceEnd, then: "({SPACENLS})({SENTSTART}){SPACENL}"),
        PTBRule("{ABBREV3}", then: "{SPACENL}?[:digit:]"),
        PTBRule(#"(pt[eyEY]|co)\."#, then: "{SPACE}(ltd|lim)"),
        PTBRule("{ABBREV1}", .abbreviationWithPeriod, then: "{SENTEND}"),
        PTBRule("{ABBREV1}", then: "[^][^]"),
        PTBRule("{ABBREV1}", .abbreviationWithPeriod),
        PTBRule("{ABBREV2}"),
        PTBRule("{ABBREV4}", then: "{SPACE}"),
        PTBRule("{ACRO}", then: "{SPACENL}"),
        PTBRule("{TBSPEC2}", then: "{SPACENL}"),
        PTBRule("{FILENAME}", then: #"({SPACENL}|[.?!,])"#),
        PTBRule(#"{WORD}\."#, .removeSoftHyphens, then: "{INSENTP}"),
        PTBRule("{PHONE}", .phone),
        PTBRule("{DBLQUOT}", .quotes(left: true), then: #"[A-Za-z0-9$]"#),
        PTBRule("{DBLQUOT}", .quotes(left: false)),
        PTBRule(#"\u007F"#, .skip),
        PTBRule("{LESSTHAN}", .replace("<")),
        PTBRule("{GREATERTHAN}", .replace(">")),
        PTBRule("{SMILEY}", .smiley, then: "[^A-Za-z0-9]"),
        PTBRule("{ASIANSMILEY}", .smiley),
        PTBRule(#"\{"#, .replace("-LCB-")),
        PTBRule(#"\}"#, .replace("-RCB-")),
        PTBRule(#"\["#, .replace("-LSB-")),
        PTBRule(#"\]"#, .replace("-RSB-")),
        PTBRule(#"\("#, .replace("-LRB-")),
        PTBRule(#"\)"#, .replace("-RRB-")),
        PTBRule("{HYPHENS}", .hyphens),
        PTBRule("{LDOTS}", .ellipsis),
        PTBRule("{FNMARKS}"),
        PTBRule("{ASTS}"),
        PTBRule("{INSENTP}"),
        PTBRule("[?!]+"),
        PTBRule(#"[.\u00A1\u00BF\u037E\u0589\u061F\u06D4\u0700-\u0702\u07FA\u3002]"#),
        PTBRule("="),
        PTBRule(#"\/"#),
        PTBRule(#"{HTHING}\."#, .removeSoftHyphens, then: "{INSENTP}"),
        PTBRule("{HTHING}", .removeSoftHyphens),
        PTBRule(#"{THING}\."#, then: "{INSENTP}"),
        PTBRule("{THING}"),
        PTBRule(#"{THINGA}\."#, .ampersand, then: "{INSENTP}"),
        PTBRule("{THINGA}", .ampersand),
        PTBRule("'", .quotes(left: true), then: #"[A-Za-z][^ \t\n\r\u00A0]"#),
        PTBRule("{REDAUX}", .quotes(left: false)),
        PTBRule("{QUOTES}", .quotes(left: false)),
        PTBRule("{FAKEDUCKFEET}"),
        PTBRule("{MISCSYMBOL}"),
        PTBRule(#"\u0000|{SPACES}|[\u200B\u200E-\u200F\uFEFF]"#, .skip),
        PTBRule("{NEWLINE}", .newline),
        PTBRule("&nbsp;", .skip),
        PTBRule("[^]", .skip),
    ]
}
