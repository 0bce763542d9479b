;; warm_run: the Racket half of codeexec-rktzygote (zygote.c), embedded in
;; the binary and declared once, before any run, as the module
;; 'codeexec-warm-run in a namespace of the zygote's own.
;;
;; `prepare` instantiates what MultiPL-E's Racket programs load (`racket`,
;; `rackunit`, the runtime configuration `#lang racket` asks for) and
;; expands and runs one such program, so that the macros a program's
;; expansion needs are instantiated too; it does not configure the runtime
;; (printing parameters and the like stay the defaults a fresh `racket`
;; starts with). `run`, in each run's own process, does what `racket FILE`
;; does with its one file argument (the -u flag of Racket's command line):
;; configure the runtime the way the module's language asks, require the
;; module into the top-level namespace, then its `main` submodule if it has
;; one; an error that escapes ends the loading with exit status 1, after
;; the error display handler printed it; then (executable-yield-handler)
;; and (exit status), which flushes the ports. The program's namespace is
;; made by `prepare`: empty at the top level, as the one a fresh `racket`
;; starts with, and with the preloaded modules attached to its registry (as
;; a cold run's registry holds what its program requires); the warm-up
;; program and this module are declared elsewhere, in a scratch namespace.
(module codeexec-warm-run racket/base
  (provide prepare run)

  ;; The namespace programs run in: empty at the top level, like the one a
  ;; fresh `racket` starts with, and a module registry that holds the
  ;; preloads.
  (define program-namespace #f)

  (define (prepare preloads warm-up-source)
    (let ([scratch (make-base-namespace)])
      (parameterize ([current-namespace scratch])
        (for-each (lambda (m) (dynamic-require m #f)) preloads)
        (parameterize ([read-accept-reader #t]
                       [read-accept-lang #t]
                       [current-module-declare-name (make-resolved-module-path 'codeexec-warm-up)])
          (eval (read-syntax 'codeexec-warm-up (open-input-string warm-up-source))))
        (dynamic-require ''codeexec-warm-up #f))
      (let ([ns (make-empty-namespace)])
        (for-each (lambda (m) (namespace-attach-module scratch m ns)) preloads)
        (set! program-namespace ns)))
    (flush-output (current-output-port))
    (flush-output (current-error-port))
    (collect-garbage 'major))

  ;; The procedures a program's frames sit on: nameless and without a
  ;; source location, so that an error's "context...:" lists no frame of
  ;; theirs, as a cold run's lists none of the command line's.
  (define (anonymous proc) (car (list proc)))

  ;; The module's own configure-runtime submodule, else its language's
  ;; 'configure-runtime entries.
  (define configure-runtime
    (anonymous
     (lambda (mpi)
       (let ([submod (module-path-index-join '(submod "." configure-runtime) mpi)])
         (when (module-declared? submod #t)
           (dynamic-require submod #f)))
       (let ([info (module->language-info mpi #t)])
         (when (and (vector? info) (= 3 (vector-length info)))
           (let* ([call-info (lambda (v)
                               ((dynamic-require (vector-ref v 0) (vector-ref v 1)) (vector-ref v 2)))]
                  [entries ((call-info info) 'configure-runtime '())])
             (unless (and (list? entries)
                          (andmap (lambda (v) (and (vector? v) (= 3 (vector-length v)))) entries))
               (raise-argument-error 'runtime-configure "(listof (vector any any any))" entries))
             (for-each call-info entries)))))))

  (define require-as-main
    (anonymous
     (lambda (path)
       (let ([mpi (module-path-index-join `(file ,path) #f)])
         (configure-runtime mpi)
         (namespace-require mpi)
         (let ([main (module-path-index-join '(submod "." main) mpi)])
           (when (module-declared? main #t)
             (dynamic-require main #f)))))))

  (define run
    (anonymous
     (lambda (path seed)
       (current-namespace program-namespace)
       (random-seed seed)
       (let ([status 0])
         (call-with-continuation-prompt
          (lambda () (require-as-main path))
          (default-continuation-prompt-tag)
          (lambda (escape)
            (set! status 1)
            ;; the default handler then does what it does with `escape`
            (call-with-continuation-prompt
             (lambda () (abort-current-continuation (default-continuation-prompt-tag) escape)))))
         ((executable-yield-handler) status)
         (exit status))))))
