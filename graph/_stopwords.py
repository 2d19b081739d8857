"""Stopword lists for graph.text: function words, plus words too generic to be keywords.

>>> "the" in EN and "我们" in ZH
True
"""

# English function words (a classic IR list) and words that say nothing about a topic in
# technical writing ("paper", "results", "using"): both break keyword phrases.
EN = frozenset("""
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere
are around as at be became because become becomes becoming been before beforehand behind
being below beside besides between beyond both but by can cannot could did do does doing
done down due during each either else elsewhere enough especially etc even ever every
everyone everything everywhere except few for former formerly from further get gets getting
given gives go going got had has have having he hence her here hereafter hereby herein him
himself his how however i if in indeed instead into is it its itself just keep last latter
least less let like likely made make makes making many may me meanwhile might mine more
moreover most mostly much must my myself namely neither never nevertheless next no nobody
none nor not nothing now nowhere of off often on once one only onto or other others
otherwise our ours ourselves out over own per perhaps please put quite rather really same
see seem seemed seeming seems several she should show shown shows since so some somehow
someone something sometime sometimes somewhere still such than that the their theirs them
themselves then thence there thereafter thereby therefore therein thereupon these they
this those though through throughout thru thus to together too toward towards under until
up upon us use used uses using very via was way we well were what whatever when whence
whenever where whereas whereby wherein whether which while who whoever whole whom whose why
will with within without would yet you your yours yourself yourselves
able actually add added again allow allows almost already approach approaches based best
better called case cases certain clear come comes consider considered different does doesn
don didn isn aren wasn weren won wouldn shouldn couldn example examples fact far fig figure
figures find first follow following form found four general good great high higher important
including introduce introduced large larger let lot low lower main mean means need needs new
note number order paper part possible post present presented problem propose proposed provide
provides really recent recently result results right second section set show simple small
so specific start step table take takes third three thing things think time times try two
type types want work works year years eq et al ie eg vs cf also dr mr ms prof
reduce reduces reduced increase increases increased improve improves improved achieve
achieves achieved obtain obtains obtained perform performs performed apply applies applied
compute computes computed gave run runs ran took allowed
""".split())

# Adjectives, adverbs and verbs that make good parts of a phrase ("fully connected layer",
# "deep learning") but poor keywords alone.
WEAK = frozenset("""
big bigger classic common connected current deep deeper deepest difficult early earlier easy
effective efficient end entire especially famous fast faster final full fully generate generates
global hard high highly key known late later learned little local long longer low main major
modern novel old original particular popular produce produces real short shorter similar
simpler single slow slower standard strong stronger today true typical typically various weak
went whole wide won
""".split())

# Verbs of technical prose in the forms whose use as a noun is rare ("publishes", not
# "maps" or "models"): a phrase never runs across them ("Deep Learning publishes practical
# tutorials" gives "deep learning" and "practical tutorials").
_VERB_STEMS = """
accept achieve act add adopt aim allow apply approximate argue assume attain attend become begin
believe bring build capture cause choose combine compare compress compute contain
contribute convert create decide decode define demonstrate depend describe design
determine develop discuss downsample drop enable encode enforce enjoy ensure estimate
evaluate exceed exist explain explore express extend extract fail feed fit focus follow
generalize generalise happen help hold ignore illustrate implement imply improve include
indicate introduce investigate involve keep lack land lead learn leverage lie look
maintain match memorise memorize minimize minimise mix motivate move normalize normalise
notice observe obtain offer operate outperform pass perform pick predict prefer prepare
present prevent produce propose prove provide publish push reach read realize recover
reduce refine rely remain remove replace report represent require restore return reveal
rise scale select share shrink simplify slide smooth solve speed suffer suggest support
surpass switch tackle tend train transform treat try turn unroll update utilize vary walk
write yield
""".split()
_IRREGULAR = """
began brought built chose drawn drew fed fell felt found gave given grew held kept knew
known laid led left lent lay lies made meant met paid rose saw seen sent shown shrank sped
spent split stood taught thought told took understood went won wrote written
""".split()


def _forms(stem: str) -> set[str]:
    base = stem[:-1] if stem.endswith("e") else stem
    third = stem[:-1] + "ies" if stem.endswith("y") and stem[-2] not in "aeiou" else \
        stem + "es" if stem.endswith(("s", "x", "z", "ch", "sh")) else stem + "s"
    past = stem[:-1] + "ied" if third.endswith("ies") else base + "ed"
    return {stem, third, past}


VERBS = frozenset(f for stem in _VERB_STEMS for f in _forms(stem)) | frozenset(_IRREGULAR)
# Past forms that name things as adjectives ("learned features", "pretrained models",
# "fine-tuned") stay words; the base forms that are nouns too stay as well.
VERBS -= frozenset("approximate transform learned trained design designs scale scales match matches drop drops "
                   "support supports report reports update updates return returns shared "
                   "switch switches walk walks speed speeds mix rise lack"
                   .split())
# -ly words that are not adverbs
NOT_ADVERBS = frozenset("anomaly assembly butterfly family fly italy july monopoly ply "
                        "reply supply".split())

# Chinese function words and generic verbs; single characters are dropped separately.
ZH = frozenset("""
用于 我们 你们 他们 她们 它们 自己 这个 那个 这些 那些 这种 那种 这样 那样 这里 那里 一个 一种 一些
一样 一下 一般 一直 一定 可以 可能 能够 应该 需要 进行 通过 使用 利用 采用 因为 所以 因此 但是
但 而且 并且 如果 虽然 然而 然后 而是 就是 还是 或者 以及 以下 以上 如下 其中 其他 其它 什么
怎么 怎样 为什么 如何 没有 不是 已经 非常 比较 之后 之前 之间 之中 之一 当然 本文 文章 由于
对于 关于 根据 作为 成为 具有 包括 得到 实现 提出 所有 每个 不同 主要 同时 另外 此外 例如 比如
首先 其次 最后 也是 还有 只是 只有 只要 一起 出来 起来 下面 上面 里面 时候 问题 方法 部分
地方 东西 看到 认为 表示 直接 基本 目前 现在 大家 知道 不会 就会 可见 这是 那是 即 等等
""".split())

# A few very common function words per language, for telling Latin-script languages apart.
# Only words that are rare in the other three languages.
DETECT = {
    "en": frozenset("the of and to is that for it with as was on are be this by from or which "
                    "these have has not we our can".split()),
    "de": frozenset("der die das und ist nicht mit den dem des von zu ein eine einen auf für "
                    "sich im wird werden auch wir sind".split()),
    "fr": frozenset("le les et est une du pour dans qui sur pas par au avec ce sont nous "
                    "cette aux être".split()),
    "es": frozenset("el los las y del una por para con se lo como más al pero sus su "
                    "esta este son".split()),
}

# What keyword phrases and sentence similarity leave out, per language: short words that
# several Romance and Germanic languages share join each list but the English one.
_SHARED = frozenset("a à de des la le en que un il y o e da di del".split())
STOP = {lang: EN | words | (_SHARED if lang != "en" else frozenset())
        for lang, words in DETECT.items()}
