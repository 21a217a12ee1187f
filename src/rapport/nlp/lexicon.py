"""A small hand-written multilingual lexicon: polarity stems, negators and intent cues.

Entries are lower-case *stems*: a token matches when it starts with one (so ``rozczarow``
covers every Polish ending of "disappointed"). Stems shorter than four letters only match
whole tokens, which keeps "ok" from matching "okay" and "bad" from matching "badge".
The lexicon is a signal beside the embedding, not a classifier: it helps most where the
embedding is weakest (short posts, emoji, slang) and it is what the cheap first stage runs on.
"""

from __future__ import annotations

POSITIVE = """
good like liked likes love loving loved lovely amazing awesome great best brilliant
excellent fantastic perfect
wonderful incredible impressed impressive thank thanks thx happy glad recommend superb
delicious tasty yummy fun enjoy legend legends hero heroes smooth slaps fire goat kudos
props respect grateful beautiful nice cool cute favourite favorite excited wow outstanding
dobr dobrze dziękuj dzięk super świetn wspaniał najlepsz polecam kocham uwielbiam genialn rewelac
cudown pyszn mistrz brawo szacun zadowol idealn fajn ekstra sztos bohater przemił
хорош спасибо благодар супер отлич прекрасн лучш люблю обожаю классн круто рекоменд вкусн
восторг шикарн идеальн молодц уважени браво герой приятн замечательн волшебн
goed bedankt dankjewel dank geweldig fantastisch heerlijk prachtig top toppers beste blij
aanrader lekker tevreden super mooi held chapeau genial respect vriendelijk lief
gut danke dank toll großartig wunderbar perfekt liebe lecker empfehle empfehlenswert zufrieden
beste spitze klasse mega genial hammer glücklich freu freundlich lieb respekt held
bien bon bonne merci génial excellent parfait adore bravo magnifique heureux
bueno buena gracias genial excelente perfecto encanta feliz maravill increíble
bene buono grazie ottimo perfetto bellissim adoro felice fantastic
bom boa obrigad ótimo perfeito adoro feliz maravilh incrível
"""

NEGATIVE = """
hate hated awful terrible horrible worst bad trash garbage rubbish pathetic useless broken
disappointed disappointing disgusting disgrace scam robbery rip-off ripoff fraud fail failed
annoying annoyed angry furious ridiculous joke nightmare never sucks sucked poor lost late
delayed delay cancelled canceled refund crash crashed crashes stuck waiting ugh wtf ffs
slow rude dead died overpriced shame sad sick lie lied liar worse cold soggy unacceptable
żenada tragedi tragiczn beznadziej fataln okropn najgorsz kiepsk porażk oszust złodziej
rozczarow wkurz zepsut zepsuł opóźni odwołan nigdy dramat zimn skandal bubel
ужас ужасн отстой хуже худш кошмар разочаров обман мошенн грабёж позор бесит
сломал сломан задерж отменил потерял никогда отврат бред холодн хамит плох беспредел
slecht slechtste vreselijk verschrikkelijk waardeloos schandalig teleurgesteld
oplichter oplichters kapot vertraagd vertraging geannuleerd nooit drama storing
jammer irritant belachelijk boos klaar koud traag
schlecht schlechteste schrecklich furchtbar katastrophe enttäuscht enttäuschend
abzocke betrug kaputt verspätung verspätet ausgefallen gestrichen niemals nie ärgerlich
frech unverschämt sauer müll mist scheiß nervt peinlich kalt langsam störung
nul horrible déçu arnaque pire honte
horrible peor pésimo decepcion estafa vergüenza asco
schifo pessimo terribile delusione vergogna peggio
péssimo horrível pior vergonha decepção lixo
"""

# A negator flips the polarity of the next few tokens ("not good", "nicht gut", "не работает").
NEGATORS = """
not no never dont don't doesnt doesn't didnt didn't isnt isn't wasnt wasn't cant can't cannot
wont won't nothing nie ani bez не нет ни без niet geen nooit nicht kein keine keinen nie
ne pas jamais non nunca nada nem não
"""

# Cues for intent: what people write when they ask, want to buy, or look for a supplier.
QUESTION_OPENERS = """
who what when where why how which whose is are can could does do did should will anyone
anybody czy jak gdzie kiedy dlaczego czemu ile który która jaki jaka kto ktoś
кто что где когда почему зачем как сколько какой какая какие можно ли есть кто-нибудь
wie wat waar wanneer waarom hoe welke welk kan kun mag heeft weet iemand
wer was wo wann warum wieso weshalb wie welche welcher kann darf hat gibt weiß jemand
"""

PURCHASE = """
buy buying bought order ordered ordering preorder pre-order purchase cart checkout booked
book booking upgrade switch switching getting subscribe
kup kupi kupuj kupię zamówi zamów przedsprzedaż koszyk przejdę biorę
купи куплю покуп закаж заказал предзаказ корзин перейду беру возьму
kopen koop bestel besteld bestellen winkelmandje overstappen geboekt boeken
kaufen kaufe kauf bestell bestellt vorbestell warenkorb wechsle gebucht buchen hol holen
"""

LEAD = """
rfp tender quote quotes pricing vendor vendors supplier suppliers demo enterprise seats
licenses licences procurement agency consultant provider hiring
oferta oferty ofertowe zapytanie dostawc wycen licencj przetarg firma firmy konsultant
предложени тендер поставщик поставщик лицензи компани консультант расчёт
offerte offertes leverancier aanbesteding bureau licenties zakelijk
angebot angebote anbieter lieferant ausschreibung lizenzen agentur berater konditionen
"""

COMPLAINT = """
refund support hotline hold helpdesk charged overcharged bill billing tracking parcel
package delivery outage ticket reclamation complaint
zwrot reklamac infolini obsług paczk przesyłk awari faktur rachunek kurier
возврат поддержк обращени жалоб посылк доставк счёт списал курьер
terugbetal klantenservice storing pakket bezorg rekening afgeschreven
erstattung kundenservice hotline störung paket lieferung rechnung abgebucht
"""

# Emoji and emoticons with a clear polarity in social posts. Sarcasm markers (🙃 🙄 🤡)
# are negative here: in brand mentions they almost always are.
EMOJI_POSITIVE = frozenset(
    "😀😁😂🤣😃😄😅😆😊😍🥰😘😎🤩🥳👍👏🙌🙏❤💙💚💛🧡💜🖤🤍💕💖💗✨🔥🎉🎊🌞☺🙂😻👌💯🚀🏆🤗😋"
)
EMOJI_NEGATIVE = frozenset("😠😡🤬😤😞😟😢😭😩😫😒🙄🙃🤡💔👎🤮🤢😱😨😰😓😔😕🙁☹😖😣💩🐌🤦")
EMOTICONS_POSITIVE = (":)", ":-)", ":D", ":-D", ";)", ";-)", "<3", "xD", "XD", ":P")
EMOTICONS_NEGATIVE = (":(", ":-(", ":'(", ":/", ":-/", "-_-", ">:(", "D:")


def _stems(block: str) -> frozenset[str]:
    return frozenset(block.split())


POSITIVE_STEMS = _stems(POSITIVE)
NEGATIVE_STEMS = _stems(NEGATIVE)
NEGATOR_WORDS = _stems(NEGATORS)
QUESTION_WORDS = _stems(QUESTION_OPENERS)
PURCHASE_STEMS = _stems(PURCHASE)
LEAD_STEMS = _stems(LEAD)
COMPLAINT_STEMS = _stems(COMPLAINT)

# Whole-token match below this length, prefix match from it.
MIN_STEM = 4
MAX_STEM = max(len(s) for s in POSITIVE_STEMS | NEGATIVE_STEMS | PURCHASE_STEMS | LEAD_STEMS)


def matches(token: str, stems: frozenset[str]) -> bool:
    """Whether ``token`` is one of ``stems`` or starts with a stem of at least MIN_STEM letters."""
    if token in stems:
        return True
    return any(token[:k] in stems for k in range(MIN_STEM, min(len(token), MAX_STEM) + 1))
