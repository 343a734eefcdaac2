"""The check language: check files, conditions and operators, policies, framework
mappings, and their compilation into callables once per scan."""
