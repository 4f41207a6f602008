# El informe de avances, en español. Frases cortas y palabras sencillas: lo leen los
# miembros y el público, y una prueba lo mantiene en 70 o más (Fernández-Huerta).

month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre
date-day = { $day } de { $month } de { $year }
date-month = { $month } de { $year }

title = { $coalition }: informe de avances
period-all = Este informe abarca todo lo anotado hasta el { $made }.
period-from-to = Este informe va del { $from } al { $to }.
period-from = Este informe va del { $from } al { $made }.
period-to = Este informe abarca todo lo anotado hasta el { $to }.
made = Se hizo el { $made } con los datos que tiene cada miembro. { $members ->
    [one] La coalición tiene un grupo miembro.
   *[other] La coalición tiene { $members } grupos miembros.
}
translated-texts = { $n ->
    [one] Un texto de un miembro se muestra como lo tradujo otro miembro.
   *[other] { $n } textos de los miembros se muestran como los tradujeron otros miembros.
}
skip = Saltar al informe
contents = Índice

goals = Metas
goals-none = La carta aún no fija metas.
goal-up = { $goal }: { $value } de { $target } { $unit }, más que en { $month }, cuando era { $earlier }.
goal-down = { $goal }: { $value } de { $target } { $unit }, menos que en { $month }, cuando era { $earlier }.
goal-same = { $goal }: { $value } de { $target } { $unit }, lo mismo que en { $month }.
goal-one = { $goal }: { $value } de { $target } { $unit } el { $day }.
goal-met = La meta se logró.
goal-nothing = { $goal }: no se midió nada en este tiempo. La meta es { $target } { $unit }.
chart-title = Avance en { $goal }
chart-text = { $points ->
    [one] Una medida, el { $first }.
   *[other] { $points } medidas, del { $first } al { $last }.
} La meta es { $target } { $unit }. La última medida es { $value }.
chart-goal-line = meta
col-day = Día
col-figure = Cifra
col-note = Cómo se midió

decisions = Decisiones
decisions-none = No se tomó ninguna decisión en este tiempo.
decisions-made = { $n ->
    [one] Se tomó una decisión.
   *[other] Se tomaron { $n } decisiones.
}
decisions-open = { $n ->
    [0] No queda ninguna propuesta abierta.
    [one] Queda una propuesta abierta.
   *[other] Quedan { $n } propuestas abiertas.
}
decision-on = { $title } ({ $day }).
passed-all = Se aprobó por { $method }: los { $agree } miembros dijeron que sí.
passed = Se aprobó por { $method }: { $agree } de { $electorate } miembros dijeron que sí.
disagreed = { $n ->
    [one] Un miembro dijo que no.
   *[other] { $n } miembros dijeron que no.
}
abstained = { $n ->
    [one] Un miembro se hizo a un lado.
   *[other] { $n } miembros se hicieron a un lado.
}
blocked = Lo frenó { $member }: «{ $reason }»
failed = No se aprobó: { $agree } a favor y { $disagree } en contra.
failed-quorum = No se aprobó: votaron muy pocos miembros ({ $taken } de { $electorate }).
method-consensus = consenso
method-consent = consentimiento
method-majority = mayoría
method-super = mayoría de { $share }
method-poll = una encuesta ({ $method })

resources = Recursos
resources-none = La coalición aún no tiene fondos comunes.
pool-gave = { $pool }: { $givers ->
    [0] ningún grupo dio nada en este tiempo.
    [one] un grupo dio { $given } { $unit }.
   *[other] { $givers } grupos dieron { $given } { $unit }.
}
pool-pledged = Los grupos se comprometieron a dar { $pledged } { $unit } más.
pool-allocated = Se dieron { $allocated } { $unit } a los miembros.
allocation = { $member } recibió { $amount } { $unit } para «{ $reason }» ({ $day }).
equity-flag = { $member } recibió más de { $share } de lo que dio { $pool }. La carta pide a los miembros que lo revisen.
col-group = Grupo
col-pledged = Prometió
col-given = Dio
col-received = Recibió

reach = A quién ayuda y a quién deja fuera
reach-issues = { $n ->
    [one] La coalición trabaja en un tema.
   *[other] La coalición trabaja en { $n } temas.
} { $new ->
    [0] Ninguno es nuevo en este tiempo.
    [one] Uno es nuevo en este tiempo.
   *[other] { $new } son nuevos en este tiempo.
}
reach-by-tag = Temas por los grupos de gente que tocan
reach-tag = { $tag }: { $n ->
    [one] un tema
   *[other] { $n } temas
}; { $active ->
    [0] ninguno sigue abierto.
    [one] uno sigue abierto.
   *[other] { $active } siguen abiertos.
}
reach-untagged = { $n ->
    [one] Un tema no nombra
   *[other] { $n } temas no nombran
} a ningún grupo de gente. Pongan etiquetas para no dejar a nadie fuera.
reach-leads = Quién lleva el trabajo
col-issues-led = Temas que lleva
reach-evidence = Datos
evidence = { $issue }: { $figure } ({ $source }). Por { $by }.
evidence-whole = { $issue }: { $figure } ({ $source }). No se separa por grupo.
evidence-none = Aún no hay datos anotados.
reach-alone = { $n ->
    [one] Un tema aún no tiene apoyo
   *[other] { $n } temas aún no tienen apoyo
} de otros grupos:
alone = { $issue }, que trajo { $member }

more = …y { $n } más (todos están en las tablas CSV).

participation = Quién tomó parte
participation-table = Reuniones y decisiones, por grupo
meetings = { $n ->
    [0] No hubo reuniones en este tiempo.
    [one] Hubo una reunión.
   *[other] Hubo { $n } reuniones.
}
silent = { $n ->
    [one] Este grupo no tomó parte en ninguna decisión:
   *[other] Estos grupos no tomaron parte en ninguna decisión:
} { $names }.
silent-none = Cada grupo tomó parte en al menos una decisión.
col-attended = Reuniones
col-facilitated = Reuniones que guio
col-checkins = Habló al abrir
col-positions = Decisiones en que votó

charter = Cambios en la carta
charter-none = La carta no cambió en este tiempo.
charter-version = La versión { $version } se acordó el { $day }, con { $n ->
    [one] un grupo.
   *[other] { $n } grupos.
}
change-founded = Es la primera carta.
change-name = El nuevo nombre es { $name }.
change-frame = Cambió el texto del propósito.
change-value = Nuevo valor: { $value }.
change-commitment = Nuevo compromiso: { $value }.
change-value-gone = Ya no es un valor: { $value }.
change-commitment-gone = Ya no es un compromiso: { $value }.
change-rule = { $kind } ahora piden { $rule }, con { $quorum } de los miembros.
change-rule-none = Los nuevos miembros ahora entran sin voto.
change-threshold = Ahora se señala a un grupo que recibe más de { $share } de un fondo.
kind-amendment = Los cambios en la carta
kind-membership = Las decisiones sobre miembros
kind-allocation = Los usos de fondos
kind-public-statement = Las declaraciones
kind-general = Las demás decisiones
kind-role = Las elecciones de cargos
kind-link = Los vínculos con otras coaliciones
kind-admission = Los nuevos miembros
