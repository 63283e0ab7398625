"""hcctrials.cli"""
