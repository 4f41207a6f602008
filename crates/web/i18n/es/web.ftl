# La interfaz web de las organizaciones, en español. Cada id de aquí debe estar también en
# ../en/web.ftl, con las mismas variables (lo comprueba una prueba).

app-name = Coalesce
skip-to-content = Saltar al contenido principal
nav-label = Principal
nav-home = Lo que me espera
nav-new-coalition = Fundar una coalición
lang-label = Idioma
lang-en = English
lang-es = Español
sign-out = Cerrar sesión
footer-local = Cada registro se guarda en el nodo de esta organización, firmado por él; nada se carga de internet.

signed-out-title = Entrar en este nodo
signed-out-body = Para abrir Coalesce en este navegador, ejecuten esta orden en la máquina donde funciona el nodo y abran el enlace que muestra:
signed-out-used = Ese enlace de entrada ya se usó o caducó. Cada enlace sirve una vez, durante 10 minutos: pidan uno nuevo.

home-title = Lo que me espera
home-intro = { $org }: sus coaliciones y lo que esperan de ustedes.
home-no-coalitions = Este nodo aún no tiene ninguna coalición.
home-coalition-counts = { $members ->
    [one] 1 miembro
   *[other] { $members } miembros
  } · { $issues ->
    [one] 1 tema
   *[other] { $issues } temas
  } · { $proposals ->
    [one] 1 propuesta
   *[other] { $proposals } propuestas
  }
home-issues-link = Temas de { $coalition }
home-not-member = La organización de este nodo no es miembro vigente de esta coalición: puede leer, no escribir.

sync-title = Nodos de los miembros
sync-offline = Sin conexión: sus cambios están guardados y se sincronizarán cuando el nodo de otro miembro esté a su alcance.
sync-connected = Conectado
sync-not-connected = Sin conexión
sync-never = Nunca sincronizado
sync-behind = { $count ->
    [one] 1 cambio pendiente
   *[other] { $count } cambios pendientes
  }
sync-no-other-nodes = Todavía no hay otro nodo miembro: inviten a otra organización a compartir esta coalición.
sync-table-caption = Nodos de los miembros de { $coalition }
sync-col-member = Miembro
sync-col-state = Conexión
sync-col-last = Última sincronización
sync-col-behind = Pendiente

coalition-new-title = Fundar una coalición
coalition-name = Nombre
coalition-name-help = Hasta 200 caracteres. Todos los miembros lo verán.
coalition-frame = Qué une a los miembros
coalition-frame-help = El marco común, en pocas frases. Opcional: se puede enmendar después.
coalition-create = Fundar la coalición
coalition-created = La coalición está fundada. Inviten a las demás organizaciones desde «Lo que me espera».

issues-title = Temas de { $coalition }
issues-filter = Filtrar los temas
issues-filter-tag = Etiqueta
issues-filter-status = Estado
issues-filter-any = Cualquier estado
issues-apply = Mostrar
issues-none = Ningún tema coincide.
issues-showing = Temas { $from } a { $to } de { $total }
issues-table-caption = El inventario común de temas
issues-order = Orden
issues-order-priority = Prioridad
issues-order-age = Los más antiguos primero
issues-priority-by = Prioridad decidida por la votación
issues-priority-closed = cerrada el { $date }
issues-priority-none = Ninguna votación sobre los temas ha decidido aún una prioridad: los más antiguos primero.
issue-col-place = Puesto
issue-not-ranked = sin puesto
page-nav = Páginas
page-previous = Página anterior
page-next = Página siguiente
issue-col-title = Tema
issue-col-tags = Etiquetas
issue-col-lead = Responsable
issue-col-status = Estado
issue-col-shared = Compartido por

status-raised = Planteado
status-adopted = Adoptado
status-parallel-campaign = Campaña paralela
status-won = Ganado
status-dropped = Abandonado

issue-raise-title = Plantear un tema
issue-title-field = Título
issue-title-help = Un título breve, de hasta 200 caracteres.
issue-description-field = Descripción
issue-description-help = Qué es, a quién afecta y qué lo demuestra. Opcional.
issue-tags-field = Etiquetas
issue-tags-help = Separadas por comas, por ejemplo: raza, discapacidad, vivienda. Opcional.
issue-raise = Plantear el tema
issue-raised = El tema está planteado.

issue-raised-by = Planteado por { $name } el { $date }
issue-lead = Responsable: { $name }
issue-tags = Etiquetas
issue-no-tags = Sin etiquetas.
issue-status = Estado: { $status }
issue-description = Descripción
issue-no-description = Sin descripción.
issue-shares = Miembros que lo comparten
issue-share-row = { $name }: prioridad { $rank }
issue-not-shared = Ningún miembro lo comparte todavía.
issue-evidence = Pruebas
issue-no-evidence = Todavía no hay pruebas.
issue-evidence-row = { $figure } (fuente: { $source }; añadida por { $name })
issue-share-title = Compartir este tema
issue-share-rank = Prioridad
issue-share-rank-help = Qué prioridad le da su organización: 1 es la más alta y 10 la más baja.
issue-share = Compartir con esta prioridad
issue-shared = Su organización comparte ahora este tema.
issue-back = Volver a los temas

error-title = Algo salió mal
error-form = El formulario tiene errores: vean el mensaje junto a cada campo.
error-required = Este campo es obligatorio.
error-rank = Elijan una prioridad del 1 al 10.
error-csrf = Este formulario se envió desde otra página o caducó. Envíenlo de nuevo, por favor.
error-not-found = No hay nada en esta dirección.
error-node = El nodo respondió: { $message }
back-home = Volver a lo que me espera

# Dates: the month's name, then the whole date.
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
date-time = { $day } de { $month } de { $year }, { $time } UTC

# La navegación propia de una coalición.
coalition-nav-issues = Temas
coalition-nav-proposals = Propuestas
home-proposals-link = Propuestas de { $coalition }

proposals-title = Propuestas de { $coalition }
proposals-filter = Filtrar las propuestas
proposals-filter-kind = Tipo
proposals-filter-any = Cualquier tipo
proposals-none = Ninguna propuesta coincide.
proposals-showing = Propuestas { $from } a { $to } de { $total }
proposals-table-caption = Las propuestas de la coalición y en qué punto está cada una
proposal-col-title = Propuesta
proposal-col-kind = Tipo
proposal-col-outcome = En qué punto está
proposal-col-closes = Las posiciones cuentan hasta
proposals-back = Volver a las propuestas

proposal-open-title = Abrir una propuesta
proposal-open-intro = Para una decisión general o una declaración pública. Una enmienda de la carta se abre desde la carta, la baja de un miembro desde los miembros, una asignación desde su fondo.
proposal-kind-field = Tipo de decisión
proposal-kind-choose = Elija un tipo
proposal-kind-missing = Elija una decisión general o una declaración pública.
proposal-title-field = Título
proposal-title-help = Lo que deciden los miembros, en pocas palabras.
proposal-text-field = Texto
proposal-text-help = Opcional: el texto completo y el porqué.
proposal-open-submit = Abrir la propuesta
proposal-opened = La propuesta está abierta. Los miembros ya pueden tomar posición.

kind-amendment = Enmienda de la carta
kind-membership = Membresía
kind-allocation = Asignación de un fondo
kind-public-statement = Declaración pública
kind-general = Decisión general
kind-role = Elección de cargos
kind-link = Vínculo con otra coalición

method-consensus = Consenso: se aprueba cuando al menos un miembro está de acuerdo y nadie está en contra ni bloquea
method-consent = Consentimiento: se aprueba cuando al menos un miembro está de acuerdo y nadie bloquea
method-majority = Mayoría: se aprueba cuando hay más miembros a favor que en contra (un bloqueo cuenta como en contra)
method-super-majority = Mayoría cualificada: se aprueba cuando al menos { $fraction } de los miembros que toman partido están a favor
rule-poll-choose = Una encuesta: cada miembro elige entre las opciones
rule-poll-score = Una encuesta de puntuación: cada miembro puntúa cada opción
rule-poll-dots = Un voto por puntos: cada miembro reparte puntos entre las opciones
rule-poll-ranked = Una encuesta por orden de preferencia: un ganador por segunda vuelta instantánea
rule-poll-condorcet = Una encuesta por orden de preferencia contada por el método Schulze (Condorcet)
rule-poll-stv = Una elección por voto único transferible
rule-poll-time = Una encuesta de horarios: cada miembro responde sí, si hace falta o no a cada horario
rule-poll-budget = Un presupuesto participativo: cada miembro reparte una parte entre las solicitudes
rule-poll-settings = { $method } ({ $settings })
proposal-rule = Regla: { $method }. Quórum: { $quorum } { $electorate ->
    [one] del único miembro debe tomar posición
   *[other] de los { $electorate } miembros deben tomar posición
  }.

outcome-open = Abierta
outcome-passed = Aprobada
outcome-failed = No aprobada
outcome-blocked = Bloqueada
outcome-sentence = { $outcome }: { $agree } de { $electorate } a favor, { $abstain ->
    [one] 1 se hizo a un lado
   *[other] { $abstain } se hicieron a un lado
  }, { $disagree } en contra, { $block ->
    [one] 1 bloqueó
   *[other] { $block } bloquearon
  }, { $pending } aún sin responder; quórum { $met ->
    [yes] alcanzado
    [no] no alcanzado
   *[pending] aún no alcanzado
  }.

stance-agree = A favor
stance-abstain = Hacerse a un lado (abstenerse)
stance-disagree = En contra
stance-block = Bloquear
stance-pending = Aún sin responder
stance-agree-help = La apoyan.
stance-abstain-help = La dejan seguir adelante sin tomar parte en ella.
stance-disagree-help = Están en contra, pero no la detienen para todos.
stance-disagree-help-consensus = Están en contra. Con consenso, basta con que un miembro esté en contra para que no se apruebe.
stance-block-help = La detienen para todos: solo cuando va contra los valores o compromisos de la coalición. Digan por qué abajo.
stance-block-help-vote = Con esta regla, un bloqueo cuenta como estar en contra: no detiene la propuesta por sí solo. Digan por qué abajo.

proposal-by = Abierta por { $name } el { $date }
proposal-closes = Las posiciones cuentan hasta el { $date }.
proposal-no-close = Abierta hasta que se decida.
proposal-settled = Decidida: las posiciones tomadas la resuelven, sean cuales sean las demás.
proposal-closed = Cerrada el { $date }.
proposal-text = Texto
proposal-no-text = Sin texto.
proposal-positions = Posiciones
poll-sentence = { $outcome ->
    [open] Abierta
    [passed] Decidida
   *[other] No decidida
  }: han votado { $agree } de { $electorate } organizaciones; quórum { $met ->
    [yes] alcanzado
    [no] no alcanzado, así que la votación no decide nada
   *[pending] aún no alcanzado
  }.
poll-rule = Quórum: { $quorum } { $electorate ->
    [one] del único miembro debe emitir su papeleta
   *[other] de los { $electorate } miembros deben emitir su papeleta
  } antes de que cierre la votación.
poll-heading = Votación entre opciones
poll-intro = Esta propuesta se decide por una votación ({ $method }), contada igual en el nodo de cada miembro a partir de las papeletas firmadas de las organizaciones; las papeletas no son anónimas.
poll-voted = { $voted } de { $electorate } organizaciones han votado.
poll-weights = La carta daba más peso a algunas papeletas cuando se abrió la votación: { $list }; la papeleta de cada una de las demás organizaciones cuenta una vez.
poll-ranks-issues = Esta votación es sobre los temas: una vez cerrada con su quórum, su resultado pasa a ser el orden del inventario de temas.
poll-ranks-issues-link = Ver el inventario
poll-elects-spokespeople = Esta es una elección de portavoces de la coalición: una vez cerrada con su quórum, los miembros que elige hablan públicamente por la coalición, hasta una elección posterior.
poll-elects-statement-signoff = Esta es una elección de quién aprueba las declaraciones públicas: una vez cerrada con su quórum, los miembros que elige ocupan ese cargo, hasta una elección posterior.
poll-elects-delegates = Esta es una elección de los delegados de la coalición ante las coaliciones con las que se vincula: una vez cerrada con su quórum, los miembros que elige la representan allí, hasta una elección posterior.
poll-funds-requests = Este es un presupuesto participativo sobre las solicitudes de un fondo: una vez cerrado con su quórum, las solicitudes que financia se asignan, primero las que más recibieron, mientras el fondo tenga suficiente.
poll-weight = la de { $name } cuenta { $weight } veces
poll-caption = Las opciones y en qué punto está cada una
poll-col-option = Opción
poll-col-standing = En qué punto está
poll-place = Puesto { $place }
poll-tied = Puesto { $place } (empate)
poll-winner = Ganadora
poll-elected = Elegida
poll-not-elected = No elegida
poll-funded = Financiada
poll-not-funded = Sin financiar
poll-none-yet = Aún sin contar
poll-method-choose-one = elegir una opción
poll-method-choose = elegir de { $min } a { $max } opciones
poll-method-score = puntuar cada opción de 0 a { $max }
poll-method-dots = repartir hasta { $dots } puntos entre las opciones
poll-method-ranked = ordenar las opciones; una ganadora por segunda vuelta instantánea
poll-method-condorcet = ordenar las opciones; la ganadora de Condorcet por el método de Schulze
poll-method-stv-meek = ordenar las candidaturas; { $seats ->
    [one] un puesto
   *[other] { $seats } puestos
  } por voto único transferible (método de Meek)
poll-method-stv-scottish = ordenar las candidaturas; { $seats ->
    [one] un puesto
   *[other] { $seats } puestos
  } por voto único transferible (las reglas escocesas de 2007)
poll-method-time = responder a cada hora propuesta sí, si hace falta o no
poll-method-budget = cada organización da hasta { $share } a las solicitudes; una solicitud se financia cuando lo dado alcanza lo que pide
poll-notes = Cómo fue el recuento
poll-tie-earlier = Hubo empate: los votos de la ronda { $round } lo deshicieron.
poll-tie-listed-last = Hubo empate en todas las rondas: según la regla escrita, sale la opción que figura en último lugar.
poll-chart-table = Las cifras en una tabla.
poll-figures-caption = Las cifras de cada opción
poll-col-round = Ronda { $round }
poll-row-exhausted = Papeletas sin más opciones
poll-row-quota = Cuota
poll-col-chosen = Elegida por
poll-col-dots = Puntos
poll-col-total = Puntuación total
poll-col-mean = Puntuación media
poll-col-time = Hora
poll-col-no = No le va bien a
poll-col-request = Solicitud
poll-col-ask = Pide
poll-col-given = Recibe
poll-chart-chosen = Cuántas organizaciones eligieron cada opción
poll-chart-dots = Los puntos que recibió cada opción
poll-chart-score = La puntuación total de cada opción
poll-chart-time = A cuántas organizaciones les va bien cada hora
poll-chart-budget = Lo que recibió cada solicitud
poll-chart-last-round = Los votos de la última ronda
poll-chart-beats = A cuántas opciones vence cada una, por los caminos más fuertes
poll-chart-first-preferences = Primeras preferencias
poll-budget-spent = Dado en total: { $given }; las solicitudes financiadas suman { $spent }.
poll-note-wins = Ronda { $round }: { $option } gana con más de la mitad de los votos.
poll-note-out = Ronda { $round }: { $option } tiene menos votos y queda fuera; sus papeletas cuentan para su siguiente opción.
poll-note-borda = El recuento de Borda y la matriz de pares se muestran como referencia; la ganadora es la de la segunda vuelta instantánea.
poll-rounds-caption = Los votos de cada opción en cada ronda de la segunda vuelta instantánea
poll-borda-caption = El recuento de Borda (como referencia)
poll-col-points = Puntos
poll-pairwise-caption = Cuántas organizaciones pusieron la opción de la fila por delante de la de la columna
poll-strongest-caption = El camino más fuerte de la opción de la fila a la de la columna
poll-beats-caption = A cuántas otras opciones vence cada una por los caminos más fuertes
poll-col-beats = Vence a
poll-note-schulze = Gana { $option }: sus caminos más fuertes vencen a los de todas las demás opciones.
poll-note-schulze-tied = Aún no hay una sola ganadora: el primer puesto está empatado.
poll-stages-caption = Los votos de cada candidatura en cada etapa del recuento (primero la cuota)
poll-stage-first = Etapa { $round }: se cuentan las primeras preferencias.
poll-stage-surplus = Etapa { $round }: se transfiere el excedente de { $option }.
poll-stage-iterated = Etapa { $round }: los factores de retención se ajustan, en { $iterations } iteraciones.
poll-stage-excluded = Etapa { $round }: { $option } queda excluida y sus votos se transfieren.
poll-stage-last = Etapa { $round }: quedan tantas candidaturas como puestos, así que todas son elegidas.
poll-stage-elected = Elegidas: { $names }.
ballot-title = La papeleta de su organización
ballot-submit = Emitir la papeleta
ballot-change = Cambiar la papeleta
ballot-choose = Elija
ballot-choose-help-exactly = Marque { $n ->
    [one] una opción
   *[other] { $n } opciones
  }. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-choose-help = Marque de { $min } a { $max } opciones. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-score = Puntuaciones
ballot-score-help = Dé a cada opción una puntuación de 0 a { $max }; una opción en blanco puntúa 0. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-dots = Puntos
ballot-dots-help = Reparta hasta { $dots } puntos entre las opciones, tantos en una como quiera. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-rank = Sus preferencias
ballot-rank-help-two = Dé un 1 a su primera preferencia, un 2 a la segunda, y así sucesivamente, al menos a dos opciones; deje fuera las opciones que no apoyaría. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-rank-help = Dé un 1 a su primera preferencia, un 2 a la segunda, y así sucesivamente; deje fuera las opciones que no apoyaría. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-not-ranked = Sin ordenar
ballot-preference = Preferencia { $place }
ballot-time = Qué horas le van bien
ballot-time-help = Responda a cada hora; una hora que se deja en no, no le va bien. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-budget = Lo que da su organización
ballot-budget-help = Dé hasta { $share } en total, repartido entre las solicitudes como quiera (por ejemplo 150 o 12,50); deje en blanco lo que no reciba nada. Su papeleta lleva la firma de su organización: las papeletas no son anónimas.
ballot-cast = La papeleta de su organización ha quedado registrada.
ballot-error-picked = Marque de { $min } a { $max } opciones (esta papeleta marca { $picked }).
ballot-error-dots = Reparta como mucho { $dots } puntos (esta papeleta reparte { $spread }).
ballot-error-score = Dé a cada opción una puntuación de 0 a { $max }.
ballot-error-too-short = Ordene al menos { $least } opciones.
ballot-error-budget = Dé como mucho { $share } en total (esta papeleta da { $given }).
ballot-error-other = Esta papeleta no corresponde a la votación: { $method }.
ballot-error-number = Escriba un número entero de 0 a { $max }, o déjelo en blanco.
ballot-error-same-place = Dos opciones tienen la preferencia { $place }: dé a cada opción la suya.
ballot-error-amount = Escriba una cantidad, por ejemplo 150 o 12,50, o déjela en blanco.
proposal-positions-caption = La posición de cada miembro y su razón
proposal-col-member = Miembro
proposal-col-position = Posición
proposal-col-reason = Razón
proposal-col-when = Cuándo
proposal-chart-title = Posiciones sobre «{ $title }»

vote-title = La posición de su organización
vote-stance = Posición
vote-reason = Razón
vote-reason-help = Obligatoria para bloquear; todos los miembros la leerán.
vote-submit = Registrar la posición
vote-recorded = La posición de su organización está registrada.
vote-decided = Esta propuesta está decidida: una posición ya no la cambia.
vote-not-member = Su organización no forma parte del electorado de esta propuesta.
error-stance = Elijan una posición.
error-block-reason = Un bloqueo necesita una razón: digan qué de la propuesta va contra los valores o compromisos de la coalición.

# Invitaciones y uniones.
home-invite-link = Invitar a una organización a { $coalition }
home-join-link = Unirse a una coalición con un código de invitación
home-pending-joins = Coaliciones a las que se está uniendo
home-pending-join = Uniéndose como { $org }, desde el { $date }
invite-title = Invitar a una organización a { $coalition }
invite-intro = Un código de invitación permite que el nodo de una organización se una a esta coalición. Envíenlo por un medio de confianza: quien lo tenga puede unirse, una vez, hasta que caduque.
invite-expires = Válido durante
invite-expires-help = Después, el código deja de funcionar.
invite-expires-1d = 1 día
invite-expires-7d = 7 días
invite-expires-30d = 30 días
invite-create = Crear un código de invitación
invite-made-title = Código de invitación para { $coalition }
invite-code = Código de invitación
invite-code-help = Selecciónenlo y cópienlo. Sirve una vez, hasta el { $date }.
invite-local-only = Por ahora a este nodo solo se llega desde su propia red, así que una organización de otro lugar no podrá unirse con este código: un nodo de retransmisión solo lleva conexiones de miembros. Hagan la invitación en el nodo de un miembro al que otros puedan llegar, o pidan a quien administra este nodo que redirija un puerto hacia él.
invite-next = La organización invitada lo pega en la página «Unirse a una coalición» de su propio nodo, o ejecuta esta orden:
join-title = Unirse a una coalición
join-intro = Peguen el código de invitación que les envió otra organización miembro. Su nodo se conecta al de ella y recibe la coalición.
join-code = Código de invitación
join-code-help = Una línea larga de letras y números, tal como la envió la organización que invita.
join-org = El nombre de su organización
join-org-help = Tal como lo verán los demás miembros. Opcional: si se deja vacío, el nombre de este nodo.
join-submit = Unirse
join-progress-title = Uniéndose a una coalición
join-step-waiting = Esperando alcanzar el nodo que invita.
join-step-connecting = Conectando con el nodo que invita…
join-step-awaiting_admission = Conectado. Esperando la admisión (donde los miembros votan las admisiones, hasta que hayan votado).
join-step-receiving = Admitido. Recibiendo la coalición…
join-step-joined = Unido: la coalición está aquí.
join-step-refused = El nodo que invita se negó: { $reason }
join-received = { $received } de { $total } partes recibidas ({ $kib } KiB)
join-progress-label = La coalición llegando
join-check = Comprobar de nuevo
join-open = Abrir sus temas
error-code = Peguen el código de invitación.

# Fondos.
coalition-nav-pools = Fondos
home-pools-link = Fondos de { $coalition }
pools-title = Fondos de { $coalition }
pools-none = Todavía no hay fondos. Un fondo se abre con `coalesce pool create`.
pools-filter = Filtrar los fondos
pools-filter-kind = Tipo
pools-filter-any = Cualquier tipo
pools-none-match = Ningún fondo coincide.
pools-showing = Fondos { $from } a { $to } de { $total }
pools-table-caption = Los fondos de la coalición y sus totales
pool-col-name = Fondo
pool-col-kind = Contiene
pool-col-pledged = Prometido
pool-col-contributed = Aportado
pool-col-allocated = Asignado
pool-col-balance = Saldo
poolkind-funds = Dinero
poolkind-volunteer-hours = Horas de voluntariado
poolkind-space = Espacio compartido
poolkind-equipment = Equipo
pool-totals = Prometido { $pledged } · aportado { $contributed } · asignado { $allocated } · saldo { $balance } { $unit }
pool-back = Volver a los fondos
ledger-title = Libro de cuentas
ledger-none = Todavía no hay nada en el libro de cuentas.
ledger-filter = Filtrar el libro de cuentas
ledger-filter-kind = Tipo de asiento
ledger-filter-any-kind = Cualquier asiento
ledger-filter-member = Miembro
ledger-filter-any-member = Cualquier miembro
ledger-none-match = Ningún asiento coincide.
ledger-caption = Cada promesa, aportación y solicitud, de la más antigua a la más reciente
ledger-showing = Asientos { $from } a { $to } de { $total }
ledger-col-when = Cuándo
ledger-col-member = Miembro
ledger-col-kind = Asiento
ledger-col-amount = Cantidad ({ $unit })
ledger-col-note = Nota
ledger-col-balance = Saldo después
entry-pledge = Promesa
entry-contribution = Aportación
entry-request = Solicitud
give-title = Prometer o aportar a este fondo
give-kind = Qué es
give-pledge-help = Una promesa de aportar.
give-contribution-help = Algo que su organización ya aportó.
give-amount = Cantidad ({ $unit })
give-amount-help = Mayor que cero, con dos decimales como mucho, por ejemplo 500 o 12,50.
give-note = Nota
give-note-help = Para el libro de cuentas. Opcional.
give-submit = Registrarlo en el libro de cuentas
give-recorded = Registrado en el libro de cuentas.
request-awaits-budget = Solicitado. La carta decide las asignaciones por presupuestos participativos: esta solicitud espera el próximo sobre las solicitudes de este fondo.
error-amount = Escriban una cantidad mayor que cero, con dos decimales como mucho, por ejemplo 500 o 12,50.

# Entrar con un enlace.
signin-title = Entrar en este nodo
signin-body = Este enlace abre una sesión de este navegador en el nodo de Coalesce de esta máquina. Sirve una vez.
signin-submit = Entrar

# Lo que me espera, por coalición.
home-waiting-title = Esperan la posición de su organización
home-waiting-none = Ninguna propuesta abierta espera la posición de su organización.
home-closes = cierra el { $date }
home-open-until-decided = abierta hasta que se decida
home-goals-title = Metas
home-goal-row = { $title }: { $value } de { $target } { $unit }
home-goal-none = { $title }: nada registrado aún, de { $target } { $unit }
home-pools-title = Saldos de los fondos
home-pool-row = { $name }: { $balance } { $unit }
home-meeting-next = Próxima reunión: { $date }
home-meeting-none = No hay ninguna reunión prevista.
date-day = { $day } de { $month } de { $year }

# Reuniones.
coalition-nav-meetings = Reuniones
meetings-title = Reuniones de { $coalition }
meetings-none = Todavía no hay ninguna reunión registrada.
meetings-filter = Filtrar las reuniones
meetings-filter-member = Quién estuvo
meetings-filter-anyone = Cualquiera
meetings-filter-from = Desde
meetings-filter-to = Hasta
meetings-none-match = Ninguna reunión coincide.
meetings-record-link = Registrar una reunión
meetings-caption = Reuniones, de la más reciente a la más antigua
meetings-showing = Reuniones { $from } a { $to } de { $total }
meeting-col-day = Día
meeting-col-facilitator = Facilitación
meeting-col-attendance = Presentes
meeting-col-agenda = Puntos del orden del día
meeting-new-title = Registrar una reunión de { $coalition }
meeting-date = Día en que se celebró
meeting-date-help = Año, mes y día, por ejemplo 2026-12-31.
meeting-facilitator = Facilitación
meeting-facilitator-help = Quién facilitó. Por defecto, el siguiente miembro en la rotación de la carta.
meeting-facilitator-rotation = El siguiente en la rotación
meeting-attendance = Miembros presentes
meeting-checkins = Ronda de apertura, en el orden en que hablaron
meeting-checkins-help = Un miembro por línea, por su nombre como aparece arriba, en el orden en que hablaron. Déjelo vacío si no hubo ronda de apertura.
meeting-timeboxed = { $item } ({ $minutes } min)
meeting-access = Plan de accesibilidad
meeting-access-none = No hay necesidades de accesibilidad registradas para esta reunión.
meeting-access-interpretation = Interpretación al { $what }, para { $who }
meeting-access-need = { $what }, para { $who }
meeting-access-childcare = Cuidado de niños ({ $what }), para { $who }
plans-link = Buscar una hora para una reunión
plans-title = Horarios de reunión de { $coalition }
plans-intro = Un miembro propone las horas en que podría empezar una reunión; cada miembro dice cuáles le sirven. Primero van las horas que sirven a más miembros, con quién deja fuera cada una.
plans-none = Aún no hay horarios propuestos.
plans-by = Propuesto por { $name }
plans-caption = Las horas, primero las que sirven a más miembros (horas en UTC)
plans-col-time = Hora (UTC)
plans-col-yes = Sirve a
plans-col-if-needed = Sirve si hace falta a
plans-col-left-out = Deja fuera a
plans-col-unanswered = Aún sin respuesta
plans-nobody = nadie
plans-access = Lo que necesitaría la primera hora, según los perfiles de a quienes les sirve
plans-answer = Respuestas de su organización para { $title }
plans-choose = Elija una respuesta
plans-yes = Sí, esta hora sirve
plans-if-needed = Si hace falta
plans-no = No, esta hora no sirve
plans-answer-submit = Guardar las respuestas
plans-propose = Proponer horas para una reunión
plans-title-field = De qué es la reunión
plans-times = Horas en que podría empezar
plans-times-help = Una hora por línea, en UTC, por ejemplo: 2026-12-10 18:00 (hasta 20).
plans-propose-submit = Proponer estas horas
plan-proposed = Las horas están propuestas: los miembros ya pueden responder.
plan-answered = Sus respuestas están guardadas.
meeting-agenda = Orden del día
meeting-agenda-help = Un punto por línea. Para darle un tiempo a un punto, termínelo con @ y los minutos, por ejemplo: Campaña de tarifas@20
meeting-minutes = Acta
meeting-minutes-help = Lo que se dijo y se acordó. Opcional.
meeting-decisions = Propuestas decididas en la reunión
meeting-decisions-none = Todavía no hay propuestas que vincular.
meeting-submit = Registrar la reunión
meeting-recorded = La reunión está registrada.
meeting-title = Reunión del { $date }
meeting-facilitated = Facilitada por { $name }
meeting-present = Presentes
meeting-nobody = No consta nadie presente.
meeting-no-agenda = No consta orden del día.
meeting-no-minutes = No consta acta.
meeting-no-decisions = Ninguna propuesta vinculada.
meetings-back = Volver a las reuniones
error-date = Escriban el día como año-mes-día, por ejemplo 2026-12-31.

live-updated = Esta página se actualizó con cambios nuevos.

# La carta.
coalition-nav-charter = Carta
charter-title = Carta de { $coalition }
charter-version = Versión { $version }, vigente.
charter-frame = Qué une a los miembros
charter-no-frame = Todavía no hay un marco escrito.
charter-values = Valores
charter-commitments = Compromisos
charter-none = Ninguno.
charter-rules = Cómo se toman las decisiones
charter-rules-caption = La regla de cada tipo de decisión
charter-col-kind = Decisión
charter-col-rule = Regla
rulekind-amendment = Enmiendas de la carta
rulekind-admission = Admitir a un miembro
rulekind-membership = Retirar a un miembro
rulekind-allocation = Asignaciones de un fondo
rulekind-public-statement = Declaraciones públicas
rulekind-general = Decisiones generales
rulekind-role = Elecciones de cargos (portavoces, aprobación de declaraciones, delegados)
rulekind-link = Vínculos con otras coaliciones (socias regionales y nacionales)
rule-by-invite = Por invitación: decide el miembro que invita.
charter-equity = Umbral de equidad: se señala a un miembro que reciba más de { $threshold } de las asignaciones de un fondo.
charter-weights-equal = En las votaciones, la papeleta de cada miembro vale uno.
charter-weights-caption = Miembros cuyas papeletas valen más de uno en las votaciones (la de los demás vale uno)
charter-col-weight = Peso
charter-rotation = La facilitación rota entre: { $names }
charter-role-spokespeople = Portavoces: { $names }
charter-role-statement-signoff = Quién aprueba las declaraciones públicas: { $names }
charter-role-delegates = Delegados ante las coaliciones con las que se vincula: { $names }
charter-goals = Metas
charter-goals-caption = Cada meta, su último avance y su objetivo
charter-col-goal = Meta
charter-col-latest = Último avance
charter-col-target = Objetivo
charter-versions = Versiones ratificadas
charter-versions-caption = Cada versión de la carta, con quién estuvo de acuerdo
charter-versions-showing = Versiones { $from } a { $to } de { $total }, las más recientes primero
charter-col-version = Versión
charter-col-ratified = Ratificada
charter-col-agreed = De acuerdo
charter-col-proposal = Decidida por
charter-founding = Fundación
charter-compare = Comparar dos versiones
charter-compare-from = De la versión
charter-compare-to = A la versión
charter-compare-submit = Mostrar las diferencias
charter-diff-title = Qué cambió de la versión { $from } a la versión { $to }
charter-diff-none = Nada cambió entre estas versiones.
charter-diff-name = Nombre: «{ $before }» pasó a ser «{ $after }».
charter-diff-frame = El marco cambió.
charter-diff-before = Antes
charter-diff-after = Después
charter-diff-added-values = Valores añadidos: { $items }
charter-diff-removed-values = Valores quitados: { $items }
charter-diff-added-commitments = Compromisos añadidos: { $items }
charter-diff-removed-commitments = Compromisos quitados: { $items }
charter-diff-rule = { $kind }: { $before } pasó a ser { $after }.
charter-diff-weight = La papeleta de { $name } en las votaciones ({ $kind }): el peso { $before } pasó a ser { $after }.

# Miembros.
coalition-nav-members = Miembros
members-title = Miembros de { $coalition }
members-in-force = Organizaciones miembro
members-caption = Cada organización miembro y su perfil
members-former = Antiguos miembros
members-former-caption = Organizaciones que se fueron o fueron retiradas
member-col-name = Organización
member-col-communities = Comunidades
member-col-languages = Idiomas
member-col-access = Necesidades de accesibilidad
member-col-contact = Contacto
member-col-joined = Se unió
member-col-keys = Claves de nodo
member-col-since = Desde
member-status-left = Se fue
member-status-removed = Retirada
member-status-pending = Pendiente
members-none-former = No hay antiguos miembros.
members-filter = Filtrar los miembros
members-filter-find = Buscar
members-filter-find-help = Una palabra de un nombre, una comunidad, un idioma, una necesidad de accesibilidad o un contacto.
members-filter-standing = Situación
members-filter-any = Cualquier situación
members-standing-member = Miembros actuales
members-standing-pending = En espera de admisión
members-standing-former = Antiguos miembros
members-none-match = Ningún miembro coincide con este filtro.
members-showing = Miembros { $from } a { $to } de { $total }

# Pruebas.
evidence-title = Añadir pruebas
evidence-figure = Dato o hallazgo
evidence-figure-help = Lo que muestran los datos, por ejemplo: el pasaje se lleva el 9 % de los ingresos. Hasta 200 caracteres.
evidence-source = Fuente
evidence-source-help = De dónde viene, por ejemplo: Encuesta de transporte 2025. Hasta 200 caracteres.
evidence-disaggregation = Desglosado por
evidence-disaggregation-help = Según qué se desglosa: raza, ingresos, discapacidad, idioma… Opcional.
evidence-submit = Añadir las pruebas
evidence-added = Las pruebas están añadidas.
home-waiting-more = Todas las propuestas que esperan la posición de su organización
proposals-filter-waiting = Solo las que esperan la posición de su organización

coalition-nav-reports = Informes
reports-title = Informes de { $coalition }
translated-by = Traducción de { $name }.
translated-by-machine = Traducción automática, añadida por { $name }.
translated-original = Original
translated-original-in = Original ({ $language })
translate-title = Traducir
translate-intro = Añada la traducción de su organización del texto de este registro. Nombra a su organización como traductora, y el original queda tal como se escribió. No se usa ningún servicio externo.
translate-field = Texto a traducir
translate-lang = A
translate-text = Traducción
translate-machine = Una máquina hizo esta traducción
translate-submit = Guardar la traducción
translated = Su traducción está guardada: quienes leen en ese idioma la ven, con el original a un clic.
translate-field-title = Título
translate-field-description = Descripción
translate-field-text = Texto
translate-field-minutes = Acta
translate-field-value = Valor: { $text }
translate-field-commitment = Compromiso: { $text }
translate-field-reason = La razón de { $name }
translate-field-evidence = Dato: { $text }
translate-field-goal = Meta: { $text }
translate-field-frame = Propósito (marco)
issues-missing = { $count ->
    [one] Un tema aún no está
   *[other] { $count } temas aún no están
} en { $language }.
proposals-missing = { $count ->
    [one] Una propuesta aún no está
   *[other] { $count } propuestas aún no están
} en { $language }.
meetings-missing = { $count ->
    [one] El acta de una reunión aún no está
   *[other] Las actas de { $count } reuniones aún no están
} en { $language }.
language-en = inglés
language-es = español
language-fr = francés
language-pt = portugués
language-zh = chino
language-vi = vietnamita
language-ar = árabe
language-ko = coreano
language-ht = criollo haitiano
language-tl = tagalo
language-ru = ruso
language-ase = lengua de señas americana
progress-title = Informe de avances de { $coalition }
progress-link = Hacer un informe de avances para repartir
progress-intro = Un informe en lenguaje sencillo para los miembros y el público: metas frente a sus objetivos, decisiones, recursos, a quién ayuda y a quién deja fuera, quién tomó parte y cambios en la carta. Ábralo aquí para leerlo o imprimirlo, o descárguelo como archivo.
progress-from = Primer día
progress-from-help = Déjelo vacío para empezar desde el primer registro.
progress-to = Último día
progress-to-help = Déjelo vacío para terminar hoy.
progress-lang = Idioma del informe
progress-format = Tipo de archivo, para descargas
progress-format-help = Al abrir el informe aquí siempre se muestra la página web.
progress-format-html = Página web (HTML): se imprime en A4 o Carta
progress-format-md = Markdown
progress-format-json = JSON, para scripts
progress-open = Abrir el informe
progress-download = Descargar
progress-error-order = El último día es anterior al primero.
progress-csv = El inventario de temas, los libros de cuentas, las decisiones, los miembros y el avance de las metas se pueden escribir como archivos de hoja de cálculo (CSV) en la máquina del nodo con el comando: coalesce export --csv --out CARPETA.
report-yes = Sí
report-no = No
report-overlap-heading = Temas compartidos
report-overlap-intro = Qué organizaciones miembro comparten qué temas y con qué prioridad (el rango 1 es su primera prioridad).
report-overlap-title = Los temas más compartidos
report-overlap-desc = { $issues ->
    [one] Un tema en el inventario: { $title }, { $shared }.
   *[other] { $issues } temas en el inventario. El más compartido es { $title }: { $shared }.
}
report-overlap-none = Todavía no se ha planteado ningún tema.
report-overlap-table = Los temas compartidos en una tabla
report-overlap-showing = { $total ->
    [0] Todavía no hay temas.
    [one] Un tema.
   *[other] Los { $shown } temas más compartidos de { $total }.
}
report-shared-by = compartido por { $count } de { $members } { $members ->
    [one] miembro
   *[other] miembros
}
report-sharer = { $name } (rango { $rank })
report-col-issue = Tema
report-col-status = Estado
report-col-sharing = Compartido por
report-col-score = Puntuación (el rango 1 cuenta 10, el rango 10 cuenta 1)
report-col-who = Quién, primera prioridad primero
report-equity-heading = Quién aporta y quién recibe
report-equity-intro = En cada fondo: la parte de cada miembro en lo aportado y en lo asignado. La carta señala a un miembro que recibe más del { $threshold } % de un fondo.
report-equity-none = Todavía no hay fondos.
report-equity-title = { $pool }: partes aportadas y recibidas
report-equity-desc = { $pool }: recibieron más del { $threshold } % de las asignaciones: { $names }.
report-equity-desc-none = { $pool }: ningún miembro recibió más de la parte que fija la carta.
report-equity-table = { $pool }: las partes en una tabla
report-gave = aportó el { $share } % de las aportaciones
report-received = recibió el { $share } % de las asignaciones
report-col-member = Miembro
report-col-pledged = Prometido
report-col-given = Aportado
report-col-received = Recibido
report-col-share-given = Parte de las aportaciones (%)
report-col-share-received = Parte de las asignaciones (%)
report-col-flagged = Supera la parte que fija la carta
report-power-heading = Auditoría de poder
report-power-intro = Cómo se reparten las propuestas, la facilitación y los recursos entre los miembros vigentes. Se señala a un miembro que tenga más del { $threshold } % de cualquiera de ellos.
report-power-title = La parte de cada miembro en propuestas y facilitación, y con qué frecuencia tomó posición
report-power-desc = Señalados: { $names } (más del { $threshold } % de propuestas, facilitación o recursos).
report-power-desc-none = Ningún miembro tiene más de la parte que fija la carta en propuestas, facilitación o recursos.
report-power-table = La auditoría de poder en una tabla
report-power-authored = escribió el { $share } % de las propuestas
report-power-facilitated = facilitó el { $share } % de las reuniones
report-power-participated = tomó posición en el { $share } % de las propuestas abiertas a su voto
report-count-share = { $count } ({ $share } %)
report-participation = { $positions } de { $open } ({ $share } %)
report-col-authored = Propuestas escritas
report-col-facilitated = Reuniones facilitadas
report-col-checkins = Habló en rondas de apertura
report-col-participation = Posiciones tomadas
report-col-blocks = Bloqueos usados
report-col-flags = Señalado por
report-flag-proposals = propuestas
report-flag-facilitation = facilitación
report-flag-resources = recursos
issue-edit-link = Editar este tema
issue-edit-title = Editar: { $title }
issue-edit-back = Volver al tema
issue-edit-status = Estado
issue-edit-lead = Organización que lo lidera
issue-edit-lead-help = La organización miembro que lidera el trabajo sobre este tema.
issue-add-tags = Etiquetas que añadir
issue-add-tags-help = Separadas por comas. Las etiquetas que ya tiene el tema se mantienen.
issue-edit-submit = Guardar los cambios
issue-edited = Se guardó el tema. Los nodos de los demás miembros reciben el cambio al sincronizar.
request-title = Pedir una asignación
request-intro = Pedir abre una propuesta, que se decide con la regla de la carta para las asignaciones. Si se aprueba y el fondo tiene suficiente, la cantidad se asigna a su organización. Donde la carta decide las asignaciones por presupuestos participativos, la solicitud espera el próximo presupuesto participativo.
request-amount = Cantidad pedida, en { $unit }
request-amount-help = No más que el saldo del fondo. Decimales con punto o coma: 120.50 o 120,50.
request-reason = Motivo
request-reason-help = Para qué es, en una frase que los miembros leerán antes de decidir.
request-submit = Pedir la asignación
allocation-requested = Su petición está hecha. Esta es la propuesta que la decide.
profile-title = El perfil de su organización
profile-intro = Lo que los demás miembros ven de su organización en esta coalición.
profile-name = Nombre de la organización
profile-name-help = Hasta 200 caracteres.
profile-communities = Comunidades que representa
profile-languages = Idiomas en los que trabaja
profile-accessibility = Necesidades de accesibilidad que hay que prever
profile-list-help = Una por línea. Opcional.
profile-contact = Cómo contactarles
profile-contact-help = Un correo electrónico, un teléfono o el nombre de una persona. Opcional.
profile-submit = Guardar el perfil
profile-saved = Su perfil está guardado.
removal-title = Proponer la baja de un miembro
removal-intro = Esto abre una propuesta. El miembro solo se da de baja si la propuesta se aprueba con la regla de la carta para la membresía.
removal-member = Organización miembro
removal-reason = Motivo
removal-reason-help = Por qué, en una frase que leerán todos los miembros. Obligatorio.
removal-closes = Cierre
removal-closes-help = Opcional: un día (2027-01-31) o un plazo desde ahora (7d, 48h). Si lo deja vacío, queda abierta hasta que se decida.
removal-submit = Proponer la baja
removal-proposed = La baja está propuesta. Esta es la propuesta que la decide.
leave-title = Salir de esta coalición
leave-intro = Su organización deja de ser miembro. Lo que escribió se queda en los registros de la coalición. Para volver hace falta una nueva invitación.
leave-confirm = Sí, mi organización sale de esta coalición.
leave-confirm-missing = Marque la casilla para confirmar que su organización sale.
leave-submit = Salir de la coalición
member-left = Su organización ha salido de esta coalición.
error-closes = Escriba un día como 2027-01-31 o un plazo desde ahora como 7d o 48h.
proposals-showing-waiting = Propuestas { $from } a { $to } que esperan la posición de su organización
removal-choose = Elija una organización miembro
removal-member-missing = Elija la organización miembro cuya baja propone.
amend-link = Proponer una enmienda a la carta
amend-heading = Enmendar la carta de { $coalition }
amend-back = Volver a la carta
amend-intro = Esto abre una propuesta de enmienda, que se decide con la regla de la carta para las enmiendas. Si se aprueba, pasa a ser la siguiente versión de la carta. Deje como está lo que no quiera cambiar.
amend-title = Título
amend-title-help = Opcional. Si lo deja vacío, un resumen de los cambios.
amend-text = Por qué
amend-text-help = Qué hace la enmienda y por qué, para los miembros que deciden. Obligatorio.
amend-frame = Nuevo marco común
amend-frame-help = Opcional. Si lo deja vacío, el marco queda como está.
amend-values = Valores que añadir
amend-commitments = Compromisos que añadir
amend-lines-help = Uno por línea. Opcional.
amend-rules = Cómo se toma cada tipo de decisión
amend-rules-help = Elija un método nuevo solo para los tipos de decisión que quiera cambiar. El quórum es la parte de los miembros que debe participar.
amend-method = Método
amend-quorum = Quórum
amend-keep = Dejar como está
amend-quorum-1-2 = La mitad de los miembros
amend-quorum-2-3 = Dos tercios de los miembros
amend-quorum-3-4 = Tres cuartos de los miembros
amend-quorum-1-3 = Un tercio de los miembros
amend-quorum-0-1 = Sin quórum
amend-threshold = Umbral de equidad
amend-threshold-help = Se señala en los informes a un miembro que recibe más de esta parte de las asignaciones de un fondo, o que tiene más de esta parte de las propuestas o de la facilitación.
amend-weights = Pesos en las votaciones de decisiones generales
amend-weights-help = Por defecto, la papeleta de cada organización cuenta una vez. Den a una organización un peso (un número entero de hasta 1.000.000, como las personas que representa) para que su papeleta cuente esas veces en las votaciones que se abran después de aprobarse esta enmienda; 1 hace que vuelva a contar una vez. Dejen un campo en blanco para mantener su peso.
amend-weight-now = Peso actual: { $weight }.
amend-weight-error = Escriban un número entero de 1 a 1.000.000, o déjenlo en blanco.
amend-threshold-option = { $fraction } del total
amend-closes = Cierre
amend-closes-help = Opcional: un día (2027-01-31) o un plazo desde ahora (7d, 48h). Si lo deja vacío, queda abierta hasta que se decida.
amend-submit = Proponer la enmienda
amend-nothing = Esta enmienda no cambia nada de la carta: cambie el marco, añada un valor o un compromiso, elija una regla o un umbral.
amendment-proposed = La enmienda está propuesta. Esta es la propuesta que la decide.
error-choice = Elija una de las opciones ofrecidas.
coalition-nav-history = Historial
history-title = Historial de { $coalition }
history-record-title = Historial de un registro
history-back = Volver al registro
history-intro = Cada cambio, el más reciente primero: cuándo, qué nodo miembro lo firmó, qué fue y qué campos escribió. Un campo de un tema, un fondo o una reunión puede volver a como estaba después de un cambio; eso es un cambio nuevo, y el historial guarda los dos.
history-none = Todavía no hay cambios aquí.
history-showing = Cambios { $from } a { $to } de { $total }
history-caption = Los cambios, el más reciente primero
history-col-when = Cuándo
history-col-who = Miembro
history-col-what = Cambio
history-col-fields = Qué cambió
history-col-restore = Restaurar
history-no-member = Un nodo que no es miembro
history-restore = Volver a poner { $field } como estaba tras este cambio
history-link-issue = Historial de este tema
history-link-pool = Historial de este fondo
history-link-meeting = Historial de esta reunión
field-restored = El campo vuelve a estar como estaba. Los nodos de los demás miembros reciben el cambio al sincronizar.
field-title = el título
field-description = la descripción
field-status = el estado
field-lead = la organización que lo lidera
field-name = el nombre
field-unit = la unidad
field-minutes = el acta
refused-link = Lo que este nodo rechazó de otros nodos
refused-title = Lo que este nodo rechazó de otros nodos
refused-intro = Mensajes y cambios que otros nodos enviaron y que incumplían las reglas de la coalición: este nodo no guardó ninguno. Los más recientes primero; los más antiguos se descartan con el tiempo.
refused-none = Este nodo no ha rechazado nada.
refused-filter = Filtrar los rechazos
refused-filter-coalition = Coalición
refused-filter-any = Cualquier coalición
refused-filter-peer = Nodo que lo envió
refused-filter-peer-help = Los primeros caracteres de la clave del nodo, como aparecen en la tabla.
refused-none-match = Ningún rechazo coincide con este filtro.
refused-caption = Mensajes rechazados, el más reciente primero
refused-col-when = Cuándo
refused-col-peer = Del nodo
refused-col-coalition = Coalición
refused-col-reason = Por qué se rechazó
change-add-evidence = añadió pruebas
change-add-goal = añadió una meta
change-admit-member = admitió a un miembro
change-create-pool = creó un fondo
change-edit-issue = editó un tema
change-flag-forked-key = avisó de una clave de nodo copiada
change-flag-forked-keys = avisó de claves de nodo copiadas
change-leave-coalition = salió de la coalición
change-open-proposal = abrió una propuesta
change-propose-admission = propuso una admisión
change-propose-amendment = propuso una enmienda
change-propose-removal = propuso una baja
change-raise-issue = planteó un tema
change-record-goal-progress = registró un avance hacia una meta
change-record-meeting = registró una reunión
change-request-allocation = pidió una asignación
change-restore-earlier-value = volvió a poner un valor anterior
change-revoke-device-key = retiró una clave de nodo
change-share-issue = compartió un tema
change-take-position = tomó posición
change-unshare-issue = dejó de compartir un tema
change-update-profile = actualizó su perfil
change-pledge = prometió
change-contribute = aportó
field-ranks = las prioridades
field-evidence = las pruebas
field-tags = las etiquetas
field-ledger = el libro de cuentas
field-attendance = la asistencia
field-agenda = el orden del día
field-decisions = las decisiones
field-positions = las posiciones
history-whole-record = el registro entero
change-found-coalition = fundó la coalición
change-add-device-key = añadió una clave de nodo
history-their-words = «{ $words }» (así lo llamó el otro nodo)
amend-keep-quorum = Dejar el quórum que tiene ({ $quorum })
amend-quorum-needs-method = Elija también un método para este tipo de decisión, o deje su quórum como está.
refusal-not-found = El nodo no encontró nada con ese nombre (su explicación, en inglés): { $message }
refusal-invalid = El nodo no aceptó lo que se escribió (su explicación, en inglés): { $message }
refusal-forbidden = Las reglas de la coalición no permiten esto a su organización (su explicación, en inglés): { $message }
refusal-conflict = Esto no se puede hacer tal como están las cosas (su explicación, en inglés): { $message }
refusal-not-arrived = Esta coalición todavía no ha llegado de los nodos de los demás miembros (su explicación, en inglés): { $message }
refusal-other = El nodo no pudo hacerlo (su explicación, en inglés): { $message }
refused-showing = Rechazos { $from } a { $to } de { $total }
error-amount-exceeds = Más de lo que tiene ahora el fondo: pida como mucho su saldo.
error-viewer = Su cuenta en este nodo puede leer todo pero no cambiar nada. Si necesita hacer cambios, pídalo a quien administra el nodo.
signed-in-as = Sesión de { $name }
people-signin-title = Entrar
people-signin-body = Entre con el nombre y la contraseña que eligió con su enlace de configuración.
people-signin-forgot = ¿Olvidó su contraseña? Pida un enlace de configuración nuevo a quien administra este nodo.
people-name = Su nombre
people-name-help = Tal como se lo dieron con su enlace de configuración (mayúsculas y minúsculas dan igual).
people-password = Contraseña
people-password-help = La contraseña que eligió.
people-wrong = Ese nombre y esa contraseña no corresponden a ninguna cuenta de este nodo. Revíselos e inténtelo de nuevo.
people-too-many = Demasiados intentos de entrar. Espere un minuto y vuelva a intentarlo.
people-setup-title = Elija su contraseña
people-setup-intro = Este enlace configura su cuenta en este nodo: entrará como { $name }, que { $role }. Funciona una sola vez.
people-role-editor = puede leer y cambiar los registros de la coalición en nombre de su organización
people-role-viewer = puede leer los registros de la coalición pero no cambiarlos
people-new-password = Contraseña nueva
people-new-password-help = Al menos { $min } caracteres. Unas cuantas palabras que recuerde funcionan bien.
people-again = La misma contraseña otra vez
people-again-help = Para asegurarse de que la escribió como quería.
people-password-length = Una contraseña necesita de { $min } a { $max } caracteres.
people-again-differs = Las dos contraseñas no son iguales.
people-setup-submit = Guardar mi contraseña y entrar
people-setup-invalid = Este enlace de configuración no funciona: ya se usó, otro más nuevo lo reemplazó o tiene más de { $days } días. Pida uno nuevo a quien administra este nodo.

## Links with other coalitions
charter-links = Vínculos con otras coaliciones
charter-links-none = Esta coalición no tiene vínculos con otras coaliciones.
link-affiliate = { $name } ({ $id }) es una coalición afiliada a la nuestra: compartimos con ella { $publish } ({ $threshold ->
    [one] cada declaración firmada por uno de nuestros miembros
   *[other] cada declaración firmada por { $threshold } de nuestros miembros
  }) y recibimos de ella { $accept } ({ $their ->
    [one] cada una firmada por uno de sus miembros
   *[other] cada una firmada por { $their } de sus miembros
  }).
link-affiliate-out = { $name } ({ $id }) es una coalición afiliada a la nuestra: compartimos con ella { $publish } ({ $threshold ->
    [one] cada declaración firmada por uno de nuestros miembros
   *[other] cada declaración firmada por { $threshold } de nuestros miembros
  }).
link-affiliate-in = { $name } ({ $id }) es una coalición afiliada a la nuestra: recibimos de ella { $accept } ({ $their ->
    [one] cada una firmada por uno de sus miembros
   *[other] cada una firmada por { $their } de sus miembros
  }).
link-parent = Somos una coalición afiliada a { $name } ({ $id }): compartimos con ella { $publish } ({ $threshold ->
    [one] cada declaración firmada por uno de nuestros miembros
   *[other] cada declaración firmada por { $threshold } de nuestros miembros
  }) y recibimos de ella { $accept } ({ $their ->
    [one] cada una firmada por uno de sus miembros
   *[other] cada una firmada por { $their } de sus miembros
  }).
link-parent-out = Somos una coalición afiliada a { $name } ({ $id }): compartimos con ella { $publish } ({ $threshold ->
    [one] cada declaración firmada por uno de nuestros miembros
   *[other] cada declaración firmada por { $threshold } de nuestros miembros
  }).
link-parent-in = Somos una coalición afiliada a { $name } ({ $id }): recibimos de ella { $accept } ({ $their ->
    [one] cada una firmada por uno de sus miembros
   *[other] cada una firmada por { $their } de sus miembros
  }).
link-end = Pone fin al vínculo con { $name } ({ $id }).
link-kinds-none = nada
shared-issue = los temas
shared-pool = los totales de los fondos
shared-goal = el avance de las metas
shared-decision = las decisiones
shared-call = los llamados a la acción
shared-mandate = las posiciones sobre mandatos
proposal-link = Qué decide esta propuesta
calls-heading = Convocatorias para decidir nuestra posición
calls-intro = Las coaliciones a las que nuestra coalición está afiliada nos piden decidir nuestra posición sobre estas preguntas. Responda a una con una propuesta nuestra: se decide según nuestras propias reglas y, una vez decidida, su resultado será nuestra posición, que los nodos de nuestros miembros firman y envían por su cuenta.
call-from = De { $name }. Nuestra propuesta debe decidirse antes del { $date }.
call-answer-submit = Abrir una propuesta para responder a esta convocatoria
call-answered-by = Respondida por nuestra propuesta:
call-unknown = Esta convocatoria ya no está entre las recibidas, o se ha cerrado.
proposal-answers = Esta propuesta responde a una convocatoria (declaración { $call }) de una coalición a la que nuestra coalición está afiliada: cuando se decida, su resultado será nuestra posición, y los nodos de nuestros miembros la firmarán y la enviarán por su cuenta.
link-id = El identificador de la otra coalición: { $id }
link-roster = La lista de sus miembros en la que confiamos primero: { $roster }
link-only-tags = Solo los temas con las etiquetas: { $tags }
link-only-goals = Solo estas metas: { $ids }
link-only-pools = Solo estos fondos: { $ids }
link-weight = Su peso en nuestros mandatos: { $weight }
link-weight-members = Su peso en nuestros mandatos: su número de miembros

## What affiliates published
affiliates-link = Lo que publicaron nuestras coaliciones afiliadas, con el origen de cada cifra
affiliates-title = Lo que publicaron las coaliciones afiliadas a { $coalition }
affiliates-intro = Cada cifra de abajo viene de una declaración firmada por miembros de la coalición afiliada que la publicó. Su línea dice qué declaración es, cuántos miembros de esa coalición la firmaron y el día del que habla. Solo cuenta la declaración más reciente sobre cada asunto.
affiliates-provenance = de la declaración { $id }, firmada por { $signed } de { $members } miembros de { $name }, al { $day }
affiliates-of = { $part } de { $whole }
affiliates-period = del { $from } al { $to }
affiliates-counts = { $agree } a favor, { $abstain } abstenciones, { $disagree } en contra, { $block } bloqueos
affiliates-list-heading = Coaliciones afiliadas
affiliates-list-none = Todavía no hay coaliciones afiliadas: un vínculo que recibe las declaraciones de una coalición afiliada la agrega.
affiliates-issues-heading = Temas de las coaliciones afiliadas
affiliates-issues-none = Ninguna coalición afiliada ha publicado aquí un tema todavía.
affiliates-tags-heading = Etiquetas de las coaliciones afiliadas (primero las que usan varias)
affiliates-tags-none = Ningún tema recibido tiene etiquetas.
affiliates-pools-heading = Recursos de las coaliciones afiliadas
affiliates-pools-none = Ninguna coalición afiliada ha publicado aquí los totales de un fondo todavía.
affiliates-pool-sums-heading = Recursos sumados por unidad
affiliates-pool-sums-none = Todavía no hay nada que sumar.
affiliates-goals-heading = Metas de las coaliciones afiliadas
affiliates-goals-none = Ninguna coalición afiliada ha publicado aquí el avance de una meta todavía.
affiliates-goal-sums-heading = Metas agrupadas por unidad
affiliates-goal-sums-none = Todavía no hay nada que agrupar.
affiliates-decisions-heading = Decisiones de las coaliciones afiliadas
affiliates-decisions-none = Ninguna coalición afiliada ha publicado aquí una decisión todavía.
affiliates-col-name = Coalición afiliada
affiliates-col-members = Miembros
affiliates-col-weight = Peso en nuestros mandatos
affiliates-col-issue = Tema
affiliates-col-from = Coalición afiliada
affiliates-col-shared = Miembros que lo comparten
affiliates-col-place = Lugar en su prioridad
affiliates-col-tags = Etiquetas
affiliates-col-provenance = De dónde viene
affiliates-col-tag = Etiqueta
affiliates-col-raised-by = Lo plantearon
affiliates-col-issues = Temas
affiliates-col-pool = Fondo
affiliates-col-period = Periodo
affiliates-col-contributed = Aportado
affiliates-col-pledged = Comprometido
affiliates-col-allocated = Asignado
affiliates-col-balance = Saldo
affiliates-col-unit = Unidad
affiliates-col-pools = Fondos
affiliates-col-goal = Meta
affiliates-col-progress = Avance
affiliates-col-by-target = Parte de las metas sumadas
affiliates-col-by-weight = Parte de cada meta, ponderada
affiliates-col-goals = Metas
affiliates-col-decision = Decisión
affiliates-col-outcome = Resultado
affiliates-col-rule = Regla
affiliates-col-positions = Posiciones
affiliates-outcome-passed = Aprobada
affiliates-outcome-failed = Rechazada
affiliates-outcome-blocked = Bloqueada
affiliates-outcome-no-quorum = Sin quórum
affiliates-outcome-open = Todavía abierta
affiliates-outcome-other = Resultado desconocido
mandates-heading = Las posiciones de nuestras coaliciones afiliadas
mandates-sentence = Contadas con el peso de cada coalición afiliada en nuestros mandatos: { $for } a favor, { $against } en contra, { $abstain } en abstención, { $silent } todavía sin decidir. Cada coalición afiliada decidió según sus propias reglas; las posiciones de nuestros propios miembros se cuentan aparte, más abajo.
mandates-together = Contadas juntas, cada uno de nuestros miembros una vez y cada coalición afiliada con su peso: { $for } a favor, { $against } en contra, { $abstain } en abstención.
mandates-outcome = Contando ambos según la regla de la propuesta: { $outcome }. El resultado de arriba cuenta solo a nuestros miembros.
mandates-until = Cuentan las posiciones de los afiliados que nos lleguen antes del { $when }: siete días después del cierre, para que sus propias decisiones se firmen y se traigan aquí.
mandates-col-position = Su posición
mandate-position-for = A favor
mandate-position-against = En contra
mandate-position-abstain = Abstención
mandate-position-none = Todavía sin decidir
