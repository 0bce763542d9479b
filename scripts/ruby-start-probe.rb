# The state Ruby starts a program in: what a plain `ruby FILE` and the
# recipe's cached command (languages/ruby.json, which loads Ruby's gem
# prelude itself from the compile cache) must both print, byte for byte.
# scripts/warm-ruby-iseq.rb keeps its start.rb only if they do, and
# tests/e2e/test_language_caches.py runs it through servers with the caches
# on and off. Nothing is required first, so nothing hides a difference.
p $LOADED_FEATURES, $LOAD_PATH, Gem.loaded_specs.keys.sort
p Object.constants.sort, global_variables.sort, Kernel.private_instance_methods.sort
p NameError.ancestors, NoMethodError.ancestors, KeyError.ancestors
p Kernel.instance_method(:require).source_location, Warning.instance_methods.sort, $0, __FILE__
begin; lenght = 1; lengthh; rescue NameError => e; puts e.message; end
begin; [1].frist; rescue NoMethodError => e; puts e.detailed_message rescue puts e.message; end
